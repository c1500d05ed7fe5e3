// Resolvers: user sources. The built-in SQL user store has type "sql" and no settings.
#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/identity_api.hpp"
#include "server/api/params.hpp"

namespace tessera::api {
void add_resolver_routes(http::Router& router, db::IdentityRepository& identities,
                         const AccessControl& access) {
  router.add(
      "GET", "/resolver/",
      [&](http::RequestContext& c) {
        access.require_admin(c, "resolverread");
        boost::json::object value;
        for (const auto& r : identities.resolvers())
          value[r.name] = {
              {"resolvername", r.name}, {"type", r.type}, {"data", boost::json::object{}}};
        return json_result(value);
      },
      http::Access::authenticated);

  router.add(
      "POST", "/resolver/<name>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "resolverwrite");
        const auto& name = c.path_params.at("name");
        check_identifier(name, "resolver");
        const auto type = required_param(c, "type", 32);
        if (type == "ldap" || type == "ldapresolver")
          throw ApiError::bad_parameter("LDAP resolvers are not available yet; use type 'sql'");
        if (type != "sql")
          throw ApiError::bad_parameter("unknown resolver type '" + type + "' (known: sql)");
        for (const auto& [key, unused] : c.params)
          if (key != "type")
            throw ApiError::bad_parameter("the sql resolver has no setting '" + std::string(key) +
                                          "'");
        if (auto existing = identities.resolver(name); existing && existing->type != type)
          throw ApiError::bad_parameter("resolver '" + name + "' exists with type " +
                                        existing->type);
        identities.save_resolver({name, type, "{}"});
        return json_result(1);
      },
      http::Access::authenticated);

  router.add(
      "DELETE", "/resolver/<name>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "resolverdelete");
        auto reason = identities.delete_resolver(c.path_params.at("name"));
        if (reason.rfind("no resolver", 0) == 0) throw ApiError::not_found(reason);
        if (!reason.empty()) throw ApiError::bad_parameter(reason);
        return json_result(1);
      },
      http::Access::authenticated);
}

}  // namespace tessera::api
