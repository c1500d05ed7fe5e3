#include "server/api/event_api.hpp"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <limits>
#include "server/api/api_error.hpp"
#include "server/api/component_save.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/api/stale_save.hpp"
#include "server/events/event_catalog.hpp"
#include "server/events/event_conditions.hpp"
#include "server/plugins/component_instance.hpp"
#include "server/util/clock.hpp"
#include "server/util/comma_list.hpp"

namespace tessera::api {
namespace {

boost::json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  return !ec && value.is_object() ? value.as_object() : boost::json::object();
}

boost::json::object handler_json(const db::EventHandlerRow& h) {
  boost::json::array events;
  for (const auto& e : util::split_comma_list(h.events)) events.push_back(boost::json::string(e));
  return {{"id", h.id},
          {"name", h.name},
          {"event", events},
          {"handlermodule", h.notifier},
          {"action", h.action},
          {"position", h.position},
          {"ordering", h.ordering},
          {"active", h.active},
          {"conditions", parse_object(h.conditions)},
          {"options", parse_object(h.options)},
          {"version", h.version}};
}

// A string member of an object value, or "".
std::string text_at(const boost::json::value* object, const char* key) {
  if (!object || !object->is_object()) return "";
  const auto* value = object->as_object().if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : "";
}

// The event's name and serial come from the delivery's request; the rest of it (options,
// recipients, tags) stays out of listings.
boost::json::object outbox_json(const db::OutboxRow& o) {
  const auto request = parse_object(o.request);
  const auto* about = request.if_contains("event");
  const auto* token =
      about && about->is_object() ? about->as_object().if_contains("token") : nullptr;
  return {{"id", o.id},
          {"event_id", o.event_id},
          {"event", text_at(about, "event")},
          {"serial", text_at(token, "serial")},
          {"handler", o.handler},
          {"handlermodule", o.notifier},
          {"action", o.action},
          {"state", o.state},
          {"attempts", o.attempts},
          {"next_attempt", o.next_attempt_ms / 1000},
          {"last_error", o.last_error},
          {"created", o.created_ms / 1000},
          {"delivered", o.delivered_ms / 1000}};
}

long long id_of(const http::RequestContext& c) {
  const auto& text = c.path_params.at("id");
  try {
    size_t used = 0;
    const long long id = std::stoll(text, &used);
    if (used == text.size() && id > 0) return id;
  } catch (const std::exception&) {
  }
  throw ApiError::bad_parameter("'" + text + "' is not a handler id");
}

// A JSON object given as one parameter ("conditions": {...} or its text), or as
// "<prefix>.<key>" parameters, as eduMFA's WebUI sends them.
boost::json::object object_param(const http::RequestContext& c, const char* key,
                                 const std::string& prefix) {
  boost::json::object out;
  if (const auto* value = c.params.if_contains(key)) {
    if (value->is_object()) {
      out = value->get_object();
    } else if (value->is_string() && !value->get_string().empty()) {
      boost::system::error_code ec;
      auto parsed = boost::json::parse(value->get_string(), ec);
      if (ec || !parsed.is_object())
        throw ApiError::bad_parameter(std::string("'") + key + "' is not a JSON object");
      out = parsed.as_object();
    }
  }
  for (const auto& [name, value] : c.params)
    if (name.starts_with(prefix) && name.size() > prefix.size())
      out[std::string(name).substr(prefix.size())] = value;
  return out;
}

// The options against the action's schema from the plugin: known action, known options of
// the right form, required ones present; then the plugin's own check.
void check_action(plugins::ComponentInstance& notifier, const std::string& module,
                  const std::string& action, const boost::json::object& options) {
  boost::json::object actions;
  try {
    actions = notifier.call(plugins::Operation::actions, {});
  } catch (const plugins::PluginCallError& e) {  // a plugin older than ABI 1.3: no schema
    if (notifier.has(plugins::Operation::actions))
      spdlog::warn("handler module '{}' gave no usable list of actions: {}", module, e.what());
  }
  if (!actions.empty()) {
    const auto* schema = actions.if_contains(action);
    if (!schema || !schema->is_object()) {
      std::string known;
      for (const auto& [name, _] : actions)
        known += (known.empty() ? "" : ", ") + std::string(name);
      throw ApiError::bad_parameter("handler module '" + module + "' has no action '" + action +
                                    "' (actions: " + known + ")");
    }
    const auto* described = schema->as_object().if_contains("options");
    const auto known =
        described && described->is_object() ? described->as_object() : boost::json::object();
    for (const auto& [key, value] : options) {
      const auto* option = known.if_contains(key);
      if (!option) {
        std::string list;
        for (const auto& [name, _] : known) list += (list.empty() ? "" : ", ") + std::string(name);
        throw ApiError::bad_parameter("action '" + action + "' has no option '" + std::string(key) +
                                      "' (options: " + list + ")");
      }
      if (!value.is_string() && !value.is_number() && !value.is_bool())
        throw ApiError::bad_parameter("option '" + std::string(key) + "' needs a text value");
      const auto& o = option->as_object();
      if (const auto* values = o.if_contains("values"); values && values->is_array()) {
        // A choice may take several values, comma-separated ("tokenowner,email").
        const auto items = util::split_comma_list(
            value.is_string() ? std::string(value.get_string()) : boost::json::serialize(value));
        bool allowed = !items.empty();
        for (const auto& item : items)
          if (std::find(values->as_array().begin(), values->as_array().end(),
                        boost::json::value(item)) == values->as_array().end())
            allowed = false;
        if (!allowed)
          throw ApiError::bad_parameter("option '" + std::string(key) + "' takes one of " +
                                        boost::json::serialize(*values));
      }
    }
    for (const auto& [key, option] : known) {
      const auto* required = option.as_object().if_contains("required");
      if (required && required->is_bool() && required->get_bool() && !options.contains(key))
        throw ApiError::bad_parameter("action '" + action + "' needs option '" + std::string(key) +
                                      "'");
    }
  }
  if (!notifier.has(plugins::Operation::check)) return;
  try {
    notifier.call(plugins::Operation::check, {{"action", action}, {"options", options}});
  } catch (const plugins::PluginCallError& e) {
    if (e.status() == TESSERA_ERR_INVALID_ARGUMENT)
      throw ApiError::bad_parameter("handler module '" + module + "' refused: " + e.what());
    // Not a verdict on the options (an outage, an answer the host refused): saved unchecked.
    spdlog::warn("handler module '{}' could not check the options of action '{}': {}", module,
                 action, e.what());
  }
}

std::shared_ptr<plugins::ComponentInstance> notifier_named(plugins::ConfiguredComponents& notifiers,
                                                           const std::string& name) {
  std::shared_ptr<plugins::ComponentInstance> notifier;
  try {
    notifier = notifiers.instance(name);
  } catch (const std::exception& e) {
    throw ApiError::bad_parameter("the notification action '" + name +
                                  "' cannot be used: " + e.what());
  }
  if (!notifier)
    throw ApiError::bad_parameter("no notification action '" + name +
                                  "' (configure one with POST /notifier/" + name + ")");
  return notifier;
}

}  // namespace

void add_event_routes(http::Router& router, db::EventHandlerRepository& handlers,
                      db::EventRepository& events, plugins::ConfiguredComponents& notifiers,
                      const AccessControl& access) {
  const auto authenticated = http::Access::authenticated;
  router.add(
      "GET", "/event/available",
      [&](http::RequestContext& c) {
        access.require_admin(c, "eventhandling_read");
        boost::json::array out;
        for (const auto& e : events::all_events())
          out.push_back({{"name", e.name},
                         {"description", e.description},
                         {"positions",
                          e.api ? boost::json::array{"pre", "post"} : boost::json::array{"post"}}});
        return json_result(out);
      },
      authenticated);
  router.add(
      "GET", "/event/handlermodules",
      [&](http::RequestContext& c) {
        access.require_admin(c, "eventhandling_read");
        boost::json::array out;
        for (const auto& n : notifiers.list()) out.push_back({{"name", n.name}, {"type", n.type}});
        return json_result(out);
      },
      authenticated);
  router.add(
      "GET", "/event/actions/<module>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "eventhandling_read");
        auto notifier = notifier_named(notifiers, c.path_params.at("module"));
        try {
          return json_result(notifier->call(plugins::Operation::actions, {}));
        } catch (const plugins::PluginCallError&) {
          return json_result(boost::json::object());
        }
      },
      authenticated);
  // A handler module (notifier) runs before or after the request (pre on API events only).
  router.add(
      "GET", "/event/positions/<module>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "eventhandling_read");
        notifier_named(notifiers, c.path_params.at("module"));
        return json_result(boost::json::array{"post", "pre"});
      },
      authenticated);
  router.add(
      "GET", "/event/conditions/<module>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "eventhandling_read");
        boost::json::object out;
        for (const auto& condition : events::all_conditions())
          out[condition.name] = {{"description", condition.description},
                                 {"token", condition.about_token}};
        return json_result(out);
      },
      authenticated);
  router.add(
      "GET", "/event/outbox",
      [&](http::RequestContext& c) {
        access.require_admin(c, "eventhandling_read");
        const auto state = string_param(c, "state", 16);
        if (!state.empty() && state != "pending" && state != "delivering" && state != "delivered" &&
            state != "dead")
          throw ApiError::bad_parameter(
              "state is one of pending, delivering, delivered, dead (or none for all)");
        boost::json::array out;
        // With page: a page and the count, as /token/ and /audit/ answer; without: the newest
        // `limit`, as before.
        if (c.params.contains("page")) {
          const int page = int_param(c, "page", 1, 1, 1000000);
          const int page_size = int_param(c, "page_size", 25, 1, 500);
          const auto found = events.page(state, page, page_size);
          for (const auto& row : found.rows) out.push_back(outbox_json(row));
          return json_result(
              page_value("deliveries", std::move(out), found.total, page, page_size));
        }
        for (const auto& row : events.list(state, int_param(c, "limit", 100, 1, 1000)))
          out.push_back(outbox_json(row));
        return json_result(out);
      },
      authenticated);
  router.add(
      "POST", "/event/outbox/retry/<id>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "eventhandling_write");
        const auto id = id_of(c);
        if (!events.retry(id, util::unix_milliseconds()))
          throw ApiError::bad_parameter("delivery " + std::to_string(id) +
                                        " is not dead (only dead deliveries are retried)");
        return json_result(true);
      },
      authenticated);
  router.add(
      "GET", "/event/",
      [&](http::RequestContext& c) {
        access.require_admin(c, "eventhandling_read");
        boost::json::array out;
        for (const auto& h : handlers.all()) out.push_back(handler_json(h));
        return json_result(out);
      },
      authenticated);
  router.add(
      "GET", "/event/<id>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "eventhandling_read");
        auto handler = handlers.find(id_of(c));
        if (!handler) throw ApiError::not_found("no event handler " + c.path_params.at("id"));
        return json_result(boost::json::array{handler_json(*handler)});
      },
      authenticated);
  router.add(
      "POST", "/event/",
      [&](http::RequestContext& c) {
        access.require_admin(c, "eventhandling_write");
        db::EventHandlerRow row;
        row.id = c.params.contains("id") ? int_param(c, "id", 0, 1, 2000000000) : 0;
        row.name = required_param(c, "name", 64);
        check_identifier(row.name, "handler name");
        const auto names = util::split_comma_list(required_param(c, "event", 1024));
        row.position = c.params.contains("position") ? string_param(c, "position", 8) : "post";
        if (row.position != "pre" && row.position != "post")
          throw ApiError::bad_parameter("position is pre or post");
        for (const auto& name : names) {
          const auto& all = events::all_events();
          auto found =
              std::find_if(all.begin(), all.end(), [&](const auto& e) { return e.name == name; });
          if (found == all.end())
            throw ApiError::bad_parameter("unknown event '" + name +
                                          "' (GET /event/available lists them)");
          if (!found->api && row.position == "pre")
            throw ApiError::bad_parameter("the life-cycle event '" + name +
                                          "' has no position pre");
        }
        if (names.empty()) throw ApiError::bad_parameter("name at least one event");
        for (const auto& name : names) row.events += (row.events.empty() ? "" : ",") + name;
        row.ordering = int_param(c, "ordering", 0, 0, 1000000);
        row.active = bool_param(c, "active", true);
        row.notifier = required_param(c, "handlermodule", 128);
        row.action = required_param(c, "action", 64);
        const auto conditions = object_param(c, "conditions", "condition.");
        try {
          events::check_conditions(conditions);
        } catch (const events::ConditionError& e) {
          throw ApiError::bad_parameter(e.what());
        }
        const auto options = object_param(c, "options", "option.");
        check_action(*notifier_named(notifiers, row.notifier), row.notifier, row.action, options);
        row.conditions = boost::json::serialize(conditions);
        row.options = boost::json::serialize(options);
        const auto id = refusing_stale([&] { return handlers.save(row, version_param(c)); });
        if (id < 0) throw ApiError::bad_parameter("a handler named '" + row.name + "' exists");
        if (id == 0) throw ApiError::not_found("no event handler " + std::to_string(row.id));
        c.audit.info = "event handler " + row.name;
        return json_result(id);
      },
      authenticated);
  for (const char* action : {"enable", "disable"})
    router.add(
        "POST", std::string("/event/") + action + "/<id>",
        [&, enable = std::string(action) == "enable"](http::RequestContext& c) {
          access.require_admin(c, "eventhandling_write");
          if (!handlers.set_active(id_of(c), enable))
            throw ApiError::not_found("no event handler " + c.path_params.at("id"));
          return json_result(true);
        },
        authenticated);
  router.add(
      "DELETE", "/event/<id>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "eventhandling_write");
        if (!handlers.remove(id_of(c)))
          throw ApiError::not_found("no event handler " + c.path_params.at("id"));
        return json_result(true);
      },
      authenticated);

  // The notification actions that handlers name as their handler module.
  router.add(
      "GET", "/notifier/",
      [&](http::RequestContext& c) {
        access.require_admin(c, "eventhandling_read");
        boost::json::array out;
        for (const auto& n : notifiers.list())
          out.push_back(
              {{"name", n.name}, {"type", n.type}, {"data", n.config}, {"version", n.version}});
        return json_result(out);
      },
      authenticated);
  router.add(
      "POST", "/notifier/<name>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "eventhandling_write");
        const auto& name = c.path_params.at("name");
        check_identifier(name, "notification action name");
        return save_component(c, name, notifiers.noun(),
                              [&](const std::string& type, const boost::json::object& params,
                                  std::optional<long long> version) {
                                return notifiers.save(name, type, params, version);
                              });
      },
      authenticated);
  router.add(
      "DELETE", "/notifier/<name>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "eventhandling_write");
        const auto& name = c.path_params.at("name");
        if (!notifiers.remove(name))
          throw ApiError::not_found("no notification action '" + name + "'");
        return json_result(true);
      },
      authenticated);
}

}  // namespace tessera::api
