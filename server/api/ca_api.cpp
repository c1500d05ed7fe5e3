#include "server/api/ca_api.hpp"
#include <set>
#include "server/plugins/answer_limits.hpp"

#include <boost/json.hpp>

#include <limits>
#include "server/api/api_error.hpp"
#include "server/api/component_save.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/api/plugin_failure.hpp"
#include "server/ca/certificate_profile.hpp"
#include "server/ca/open_profiles.hpp"
#include "server/plugins/component_instance.hpp"

namespace tessera::api {
namespace {

boost::json::object connector_json(const ca::ConnectorInfo& info,
                                   db::CertificateProfileRepository& profiles) {
  boost::json::object templates;
  for (const auto& [name, config] : profiles.of(info.name))
    templates[name] = boost::json::parse(config);
  return {{"connectorname", info.name},
          {"type", info.type},
          {"data", info.config},
          {"templates", templates},
          {"version", info.version}};
}

std::string name_of(const http::RequestContext& c) {
  const auto& name = c.path_params.at("name");
  check_identifier(name, "CA connector name");
  return name;
}

http::HttpResponse published(std::string body, const char* content_type) {
  http::HttpResponse response;
  response.content_type = content_type;
  response.body = std::move(body);
  return response;
}

template <class Fn>
auto for_connector(Fn&& fn) {
  try {
    return fn();
  } catch (const ca::CaConnectorError& e) {
    throw ApiError::not_found(e.what());
  } catch (const plugins::PluginCallError& e) {
    throw_plugin_failure(e, "the CA connector");
  }
}

// The connector's admin actions, each {"name", "description", "on_delete"}: none for one
// that offers none.
boost::json::array actions_of(const plugins::ComponentInstance& instance) {
  boost::json::array out;
  if (!instance.has(plugins::Operation::connector_actions)) return out;
  const auto answer = instance.call(plugins::Operation::connector_actions, {});
  const auto* list = answer.if_contains("actions");
  if (!list || !list->is_array())
    throw plugins::PluginCallError(TESSERA_ERR_INTERNAL, "its actions answer has no list");
  if (list->get_array().size() > plugins::limits::kActions)
    throw plugins::PluginCallError(TESSERA_ERR_INTERNAL,
                                   "it lists " + std::to_string(list->get_array().size()) +
                                       " actions, more than " +
                                       std::to_string(plugins::limits::kActions));
  std::set<std::string, std::less<>> names;
  for (const auto& item : list->get_array()) {
    const auto* action = item.if_object();
    const auto* action_name = action ? action->if_contains("name") : nullptr;
    // Names as the routes take them: letters, digits, '_', '-', '.'.
    if (!action_name || !action_name->is_string() || action_name->get_string().empty() ||
        action_name->get_string().size() > 64 ||
        std::string_view(action_name->get_string())
                .find_first_not_of(
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
            std::string_view::npos)
      throw plugins::PluginCallError(TESSERA_ERR_INTERNAL,
                                     "an action in its list has no name a route can carry");
    if (!names.emplace(action_name->get_string()).second)
      throw plugins::PluginCallError(
          TESSERA_ERR_INTERNAL,
          "it lists the action '" + std::string(action_name->get_string()) + "' twice");
    const auto* description = action->if_contains("description");
    const auto* on_delete = action->if_contains("on_delete");
    out.push_back(
        {{"name", *action_name},
         {"description", description && description->is_string() ? description->get_string()
                                                                 : boost::json::string()},
         {"on_delete", on_delete && on_delete->is_bool() && on_delete->get_bool()}});
  }
  return out;
}

std::shared_ptr<plugins::ComponentInstance> instance_of(ca::CaConnectors& connectors,
                                                        const std::string& name) {
  auto instance = connectors.instance(name);
  if (!instance) throw ApiError::not_found("no CA connector '" + name + "'");
  return instance;
}

// The listed action of that name ({"name", "description", "on_delete"}); 400 naming the
// listed ones when there is none.
boost::json::object listed_action(const plugins::ComponentInstance& instance,
                                  const std::string& name, const std::string& action) {
  std::string names;
  for (const auto& item : actions_of(instance)) {
    const auto& known = item.as_object().at("name").as_string();
    if (known == action) return item.as_object();
    names += (names.empty() ? "" : ", ") + std::string(known);
  }
  throw ApiError::bad_parameter("CA connector '" + name + "' has no action '" + action +
                                "' (it has: " + (names.empty() ? "none" : names) + ")");
}

// Runs an action the connector lists: {"action", "message": what it did, "values": what it
// found for the admin to pick from (strings, bounded), when it found any}.
boost::json::object run_action(const plugins::ComponentInstance& instance,
                               const std::string& action) {
  const auto answer = instance.call(plugins::Operation::run_action, {{"action", action}});
  const auto* message = answer.if_contains("message");
  if (message && (!message->is_string() || message->get_string().size() > plugins::limits::kReason))
    throw plugins::PluginCallError(TESSERA_ERR_INTERNAL,
                                   "its message is not a text of at most " +
                                       std::to_string(plugins::limits::kReason) + " bytes");
  boost::json::object result{
      {"action", action},
      {"message", message ? message->get_string() : boost::json::string("done")}};
  if (const auto* values = answer.if_contains("values")) {
    if (!values->is_array() || values->get_array().size() > 1000)
      throw plugins::PluginCallError(TESSERA_ERR_INTERNAL,
                                     "its values are not a list of at most 1000");
    for (const auto& value : values->get_array())
      if (!value.is_string() || value.get_string().size() > 256)
        throw plugins::PluginCallError(TESSERA_ERR_INTERNAL,
                                       "its values are not strings of at most 256 characters");
    result["values"] = *values;
  }
  return result;
}

}  // namespace

void add_ca_routes(http::Router& router, ca::CaConnectors& connectors,
                   db::CertificateProfileRepository& profiles, const AccessControl& access) {
  for (const char* pattern : {"/caconnector/", "/caconnector/<name>"})
    router.add(
        "GET", pattern,
        [&](http::RequestContext& c) {
          access.require_admin(c, "caconnectorread");
          boost::json::array result;
          if (c.path_params.count("name")) {
            auto info = connectors.find(name_of(c));
            if (!info) throw ApiError::not_found("no CA connector '" + name_of(c) + "'");
            result.push_back(connector_json(*info, profiles));
          } else {
            for (const auto& info : connectors.list())
              result.push_back(connector_json(info, profiles));
          }
          return json_result(result);
        },
        http::Access::authenticated);

  // The connectors and their profiles ("templates") without their settings, for whoever may
  // enroll certificates (eduMFA's /system/names/caconnector).
  router.add(
      "GET", "/system/names/caconnector",
      [&](http::RequestContext& c) {
        if (c.identity->is_admin())
          access.require_admin(c, "enrollCERTIFICATE");
        else if (!access.user_may(c, "enrollCERTIFICATE"))
          throw ApiError(403, 303, "user policies do not allow 'enrollCERTIFICATE'");
        boost::json::array result;
        for (const auto& info : connectors.list()) {
          boost::json::object templates;
          for (const auto& [name, unused] : profiles.of(info.name))
            templates[name] = boost::json::object();
          result.push_back({{"connectorname", info.name},
                            {"type", info.type},
                            {"templates", std::move(templates)}});
        }
        return json_result(result);
      },
      http::Access::authenticated);

  // eduMFA asks a connector type for its CA-specific choices (the CAs of an AD CS); Tessera's
  // connectors answer those as actions of a configured connector.
  router.add(
      "GET", "/caconnector/specific/<type>",
      [&](http::RequestContext& c) -> http::HttpResponse {
        access.require_admin(c, "caconnectorread");
        throw ApiError::bad_parameter(
            "Tessera describes each CA connector type's settings at GET /system/plugins; what a "
            "configured connector can list at its CA (AD CS's CAs and templates) are its "
            "actions: GET /caconnector/<name>/actions");
      },
      http::Access::authenticated);

  router.add(
      "POST", "/caconnector/<name>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "caconnectorwrite");
        const auto name = name_of(c);
        return save_component(c, name, "CA connector",
                              [&](const std::string& type, const boost::json::object& params,
                                  std::optional<long long> version) {
                                return connectors.save(name, type, params, version);
                              });
      },
      http::Access::authenticated);

  router.add(
      "GET", "/caconnector/<name>/actions",
      [&](http::RequestContext& c) {
        access.require_admin(c, "caconnectorread");
        const auto name = name_of(c);
        return json_result(
            for_connector([&] { return actions_of(*instance_of(connectors, name)); }));
      },
      http::Access::authenticated);

  router.add(
      "POST", "/caconnector/<name>/action/<action>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "caconnectorwrite");
        const auto name = name_of(c);
        const auto& action = c.path_params.at("action");
        check_identifier(action, "connector action");
        c.audit.info = "action " + action + " of CA connector " + name;
        return json_result(for_connector([&] {
          const auto instance = instance_of(connectors, name);
          // One that ends the connector's use at the CA needs the right to delete it.
          if (listed_action(*instance, name, action).at("on_delete") == true)
            access.require_admin(c, "caconnectordelete");
          return run_action(*instance, action);
        }));
      },
      http::Access::authenticated);

  router.add(
      "DELETE", "/caconnector/<name>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "caconnectordelete");
        const auto name = name_of(c);
        if (!connectors.find(name)) throw ApiError::not_found("no CA connector '" + name + "'");
        // ?run=<action>: one of the connector's on_delete actions (an ACME account's
        // deactivation) runs first; when it fails, nothing is deleted.
        std::string ran;
        if (const auto run = string_param(c, "run", 64); !run.empty()) {
          for_connector([&] {
            const auto instance = instance_of(connectors, name);
            bool offered = false;
            for (const auto& item : actions_of(*instance))
              offered |= item.as_object().at("name").as_string() == run &&
                         item.as_object().at("on_delete") == true;
            if (!offered)
              throw ApiError::bad_parameter("CA connector '" + name +
                                            "' has no action to run as it is deleted named '" +
                                            run + "'");
            ran = ", after " + run + ": " +
                  std::string(run_action(*instance, run).at("message").as_string());
            return 0;
          });
        }
        // Its profiles go first: a new connector of the same name starts without them, and a
        // crash in between leaves a connector without profiles, never profiles for a stranger.
        const auto profiles_removed = profiles.remove_all(name);
        if (!connectors.remove(name)) throw ApiError::not_found("no CA connector '" + name + "'");
        c.audit.info = "deleted CA connector " + name + " and its " +
                       std::to_string(profiles_removed) + " profiles" + ran;
        return json_result(1);
      },
      http::Access::authenticated);

  router.add(
      "POST", "/caconnector/<name>/profile/<profile>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "caconnectorwrite");
        const auto name = name_of(c);
        const auto& profile = c.path_params.at("profile");
        check_identifier(profile, "profile name");
        if (!connectors.find(name)) throw ApiError::not_found("no CA connector '" + name + "'");
        try {
          const auto parsed = ca::CertificateProfile::from_params(c.params);
          profiles.save(name, profile, boost::json::serialize(parsed.to_json()));
        } catch (const ca::ProfileError& e) {
          throw ApiError::bad_parameter(e.what());
        }
        c.audit.info = "profile " + profile + " of CA connector " + name;
        return json_result(true);
      },
      http::Access::authenticated);

  router.add(
      "DELETE", "/caconnector/<name>/profile/<profile>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "caconnectorwrite");
        const auto name = name_of(c);
        const auto& profile = c.path_params.at("profile");
        if (!profiles.remove(name, profile))
          throw ApiError::not_found("no profile '" + profile + "' at CA connector '" + name + "'");
        return json_result(1);
      },
      http::Access::authenticated);

  // The CA connectors and profiles the caller may request a certificate from, with what a user
  // chooses by: the terms, the key types, whether an approver decides. A user gets those her
  // enrollment policy certificate_profiles opens; an admin every one.
  router.add(
      "GET", "/certificate/profiles",
      [&](http::RequestContext& c) {
        std::optional<std::string> policy_value;
        if (!c.identity->is_admin())
          policy_value = access.engine()->value(policy::Scope::enrollment, "certificate_profiles",
                                                {"", c.identity->username, c.identity->realm,
                                                 c.identity->resolver, c.request.remote_address});
        const ca::OpenProfiles open(policy_value);
        boost::json::array list;
        for (const auto& info : connectors.list())
          for (const auto& [name, config] : profiles.of(info.name)) {
            if (!open.open(info.name, name)) continue;
            const auto profile =
                ca::CertificateProfile::from_json(boost::json::parse(config).as_object());
            list.push_back({{"ca", info.name},
                            {"ca_type", info.type},
                            {"profile", name},
                            {"validity_days", boost::json::array(profile.validity_days.begin(),
                                                                 profile.validity_days.end())},
                            {"key_types", boost::json::array(profile.key_types.begin(),
                                                             profile.key_types.end())},
                            {"approval", profile.approval}});
          }
        return json_result(list);
      },
      http::Access::authenticated);

  router.add(
      "GET", "/ca/<name>/revocations",
      [&](http::RequestContext& c) {
        access.require_admin(c, "caconnectorread");
        const auto name = name_of(c);
        if (!connectors.find(name)) throw ApiError::not_found("no CA connector '" + name + "'");
        boost::json::array list;
        for (const auto& r : connectors.revocations(name))
          list.push_back(
              {{"serial", r.serial}, {"revoked_at", r.revoked_at}, {"reason", r.reason}});
        return json_result(list);
      },
      http::Access::authenticated);

  router.add("GET", "/ca/<name>/cert", [&](http::RequestContext& c) {
    const auto name = name_of(c);
    return for_connector(
        [&] { return published(connectors.ca_certificate_pem(name), "application/x-pem-file"); });
  });

  router.add("GET", "/ca/<name>/crl", [&](http::RequestContext& c) {
    const auto name = name_of(c);
    return for_connector(
        [&] { return published(connectors.crl_der(name), "application/pkix-crl"); });
  });
}

}  // namespace tessera::api
