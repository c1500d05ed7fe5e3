#include "server/events/event_dispatcher.hpp"

#include <chrono>
#include <ctime>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "server/events/event_conditions.hpp"
#include "server/util/clock.hpp"
#include "server/util/comma_list.hpp"

namespace tessera::events {
namespace {

std::string text(const boost::json::object* object, const char* key) {
  if (!object) return {};
  const auto* value = object->if_contains(key);
  if (!value || value->is_null()) return {};
  if (value->is_string()) return std::string(value->get_string());
  if (value->is_bool()) return value->get_bool() ? "true" : "false";
  return boost::json::serialize(*value);
}

const boost::json::object* object_at(const boost::json::object* parent, const char* key) {
  if (!parent) return nullptr;
  const auto* value = parent->if_contains(key);
  return value && value->is_object() ? &value->get_object() : nullptr;
}

std::string utc(long long unix_seconds, const char* format) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm parts{};
  gmtime_r(&t, &parts);
  char out[64];
  std::strftime(out, sizeof out, format, &parts);
  return out;
}

boost::json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  return !ec && value.is_object() ? value.as_object() : boost::json::object();
}

}  // namespace

std::optional<db::UserRow> EventDispatcher::person(const std::string& username,
                                                   const std::string& realm,
                                                   const std::string& resolver) {
  if (username.empty()) return std::nullopt;
  // A directory that is down throws: the event waits and is dispatched again later, rather
  // than going out with empty tags and no recipient.
  auto found = resolver.empty() ? directory_.find(username, realm)
                                : directory_.find_in(resolver, username, realm);
  if (found) return found->user;
  return std::nullopt;
}

boost::json::object EventDispatcher::tags(const boost::json::object& event,
                                          const boost::json::object* token) {
  const auto* user = object_at(&event, "user");
  const auto username =
      token && !text(token, "user").empty() ? text(token, "user") : text(user, "username");
  const auto realm =
      token && !text(token, "user").empty() ? text(token, "realm") : text(user, "realm");
  const auto resolver =
      token && !text(token, "user").empty() ? text(token, "resolver") : text(user, "resolver");
  const auto owner = person(username, realm, resolver);
  const auto time = [&] {
    const auto* t = event.if_contains("time");
    return t && t->is_int64() ? t->get_int64() : static_cast<long long>(std::time(nullptr));
  }();
  const auto* logged_in = object_at(&event, "logged_in");
  const auto* result = object_at(&event, "result");
  const auto* certificate = object_at(&event, "certificate");
  const auto* info = object_at(token, "info");
  boost::json::object tags{
      {"event", text(&event, "event")},
      {"user", username},
      {"username", username},
      {"realm", realm},
      {"givenname", owner ? owner->given_name : ""},
      {"surname", owner ? owner->surname : ""},
      {"email", owner ? owner->email : ""},
      {"serial", text(token, "serial")},
      {"tokentype", text(token, "type")},
      {"description", text(token, "description")},
      {"rollout_state", text(token, "rollout_state")},
      {"old_rollout_state", text(token, "old_rollout_state")},
      {"failcount", text(token, "failcount")},
      {"admin", text(logged_in, "role") == "admin" ? text(logged_in, "username") : ""},
      {"client_ip", text(&event, "client_ip")},
      {"result_value", text(result, "value")},
      {"reason", text(&event, "reason")},
      {"actor", text(&event, "actor")},
      {"url", public_url_},
      {"time", utc(time, "%Y-%m-%d %H:%M:%S UTC")},
      {"date", utc(time, "%Y-%m-%d")},
      {"certificate_serial",
       certificate ? text(certificate, "serial") : text(info, "certificate_serial")},
      {"not_after", utc(certificate ? std::atoll(text(certificate, "not_after").c_str())
                                    : std::atoll(text(info, "not_after").c_str()),
                        "%Y-%m-%d")},
      {"days_left", text(certificate, "days_left")},
      {"ca", certificate && !text(certificate, "ca").empty() ? text(certificate, "ca")
                                                             : text(info, "ca")},
      {"enrollment_form", text(&event, "enrollment_form")},
      {"enrollment_url", text(&event, "enrollment_path").empty()
                             ? ""
                             : public_url_.substr(0, public_url_.find_last_not_of('/') + 1) +
                                   text(&event, "enrollment_path")},
  };
  return tags;
}

boost::json::array EventDispatcher::recipients(const boost::json::object& options,
                                               const boost::json::object& event,
                                               const boost::json::object* token) {
  boost::json::array out;
  auto add = [&](const std::string& address) {
    if (!address.empty() &&
        std::find(out.begin(), out.end(), boost::json::value(address)) == out.end())
      out.push_back(boost::json::string(address));
  };
  const auto to = util::split_comma_list(text(&options, "to"));
  for (const auto& kind : to) {
    if (kind == "tokenowner" && token) {
      if (auto owner = person(text(token, "user"), text(token, "realm"), text(token, "resolver")))
        add(owner->email);
    } else if (kind == "logged_in_user") {
      const auto* logged_in = object_at(&event, "logged_in");
      if (text(logged_in, "role") == "user") {
        if (auto who = person(text(logged_in, "username"), text(logged_in, "realm"), ""))
          add(who->email);
      } else if (text(logged_in, "role") == "admin") {
        add(admins_.email(text(logged_in, "username")));
      }
    } else if (kind == "email") {
      for (const auto& address : util::split_comma_list(text(&options, "to_email"))) add(address);
    } else if (kind == "realm") {
      const auto realm = directory_.realm(text(&options, "to_realm"));
      if (realm)
        for (const auto& member : directory_.list(*realm, "*")) add(member.email);
    }
  }
  return out;
}

int EventDispatcher::run_once() {
  int queued = 0;
  for (const auto& event_row : events_.waiting(100)) {
    try {
      queued += dispatch(event_row);
    } catch (const std::exception& e) {  // left waiting; the others go on
      spdlog::warn("event {} ({}) waits: {}", event_row.id, event_row.name, e.what());
    }
  }
  return queued;
}

int EventDispatcher::dispatch(const db::EventRow& event_row) {
  int queued = 0;
  {
    const auto event = parse_object(event_row.payload);
    const auto snapshot = config_.current();
    std::vector<db::OutboxRow> deliveries;
    for (const auto& handler : snapshot->event_handlers) {
      if (!handler.active || handler.position != event_row.position) continue;
      const auto names = util::split_comma_list(handler.events);
      if (std::find(names.begin(), names.end(), event_row.name) == names.end()) continue;
      const auto conditions = parse_object(handler.conditions);
      const auto options = parse_object(handler.options);
      std::vector<const boost::json::object*> subjects;
      if (const auto* tokens = event.if_contains("tokens"); tokens && tokens->is_array())
        for (const auto& token : tokens->get_array())
          if (token.is_object()) subjects.push_back(&token.get_object());
      if (subjects.empty()) subjects.push_back(nullptr);
      for (const auto* token : subjects) {
        if (!conditions_hold(conditions, event, token)) continue;
        auto about = event;
        if (token) about["token"] = *token;
        about.erase("tokens");
        boost::json::object request{{"action", handler.action},
                                    {"options", options},
                                    {"event", about},
                                    {"tags", tags(event, token)},
                                    {"recipients", recipients(options, event, token)}};
        db::OutboxRow delivery;
        delivery.handler = handler.name;
        delivery.notifier = handler.notifier;
        delivery.action = handler.action;
        delivery.request = boost::json::serialize(request);
        delivery.created_ms = delivery.next_attempt_ms = util::unix_milliseconds();
        deliveries.push_back(std::move(delivery));
      }
    }
    if (events_.dispatch(event_row.id, deliveries)) queued += static_cast<int>(deliveries.size());
  }
  return queued;
}

}  // namespace tessera::events
