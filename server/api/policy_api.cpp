// Policies are validated (scope, actions, networks) before they are stored.
#include "server/api/policy_api.hpp"

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/api/stale_save.hpp"
#include "server/policy/policy.hpp"

namespace tessera::api {

void add_policy_routes(http::Router& router, db::PolicyRepository& policies,
                       const AccessControl& access) {
  router.add(
      "GET", "/policy/",
      [&](http::RequestContext& c) {
        access.require_admin(c, "policyread");
        boost::json::array list;
        for (const auto& p : policies.all())
          list.push_back({{"name", p.name},
                          {"scope", p.scope},
                          {"action", p.actions},
                          {"realm", p.realms},
                          {"resolver", p.resolvers},
                          {"user", p.users},
                          {"adminuser", p.admins},
                          {"client", p.clients},
                          {"active", p.active},
                          {"priority", p.priority},
                          {"version", p.version}});
        return json_result(list);
      },
      http::Access::authenticated);

  // The actions each scope knows, for forms (eduMFA: /policy/defs).
  router.add(
      "GET", "/policy/defs",
      [&](http::RequestContext& c) {
        access.require_admin(c, "policyread");
        boost::json::object defs;
        for (const auto scope :
             {policy::Scope::admin, policy::Scope::user, policy::Scope::enrollment,
              policy::Scope::authentication, policy::Scope::webui}) {
          boost::json::array actions;
          for (const auto& action : policy::known_actions(scope)) actions.push_back(action.c_str());
          defs[policy::scope_name(scope)] = std::move(actions);
        }
        return json_result(defs);
      },
      http::Access::authenticated);

  router.add(
      "POST", "/policy/<name>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "policywrite");
        db::PolicyRow row{c.path_params.at("name"),
                          required_param(c, "scope", 32),
                          required_param(c, "action", 4096),
                          string_param(c, "realm", 4096),
                          string_param(c, "resolver", 4096),
                          string_param(c, "user", 4096),
                          string_param(c, "adminuser", 4096),
                          string_param(c, "client", 4096),
                          bool_param(c, "active", true),
                          int_param(c, "priority", 1, 1, 1000),
                          0};
        try {
          policy::parse_policy(row);
        } catch (const policy::PolicyError& e) {
          throw ApiError::bad_parameter(e.what());
        }
        refusing_stale([&] { policies.save(row, version_param(c)); });
        c.audit.info = "policy " + row.name;
        return json_result(boost::json::object{{"setPolicy " + row.name, 1}});
      },
      http::Access::authenticated);

  // eduMFA's /policy/enable/<name> and /policy/disable/<name>: the rest of the policy stays.
  for (const bool active : {true, false})
    router.add(
        "POST", active ? "/policy/enable/<name>" : "/policy/disable/<name>",
        [&, active](http::RequestContext& c) {
          access.require_admin(c, "policywrite");
          const auto& name = c.path_params.at("name");
          if (!policies.set_active(name, active))
            throw ApiError::not_found("no policy named '" + name + "'");
          c.audit.info = (active ? "enabled policy " : "disabled policy ") + name;
          return json_result(1);
        },
        http::Access::authenticated);

  router.add(
      "DELETE", "/policy/<name>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "policydelete");
        if (!policies.remove(c.path_params.at("name")))
          throw ApiError::not_found("no policy named '" + c.path_params.at("name") + "'");
        return json_result(1);
      },
      http::Access::authenticated);
}

}  // namespace tessera::api
