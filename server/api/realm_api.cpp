// Realms: named groups of resolvers, one of them the default realm.
#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/identity_api.hpp"
#include "server/api/params.hpp"
#include "server/util/comma_list.hpp"

namespace tessera::api {

namespace {

boost::json::object realm_json(const db::RealmRow& realm, db::IdentityRepository& identities) {
  boost::json::array resolvers;
  for (size_t i = 0; i < realm.resolvers.size(); ++i) {
    auto row = identities.resolver(realm.resolvers[i]);
    resolvers.push_back({{"name", realm.resolvers[i]},
                         {"type", row ? row->type : std::string()},
                         {"priority", static_cast<int64_t>(i + 1)}});
  }
  return {{"default", realm.is_default}, {"resolver", std::move(resolvers)}};
}

}  // namespace

void add_realm_routes(http::Router& router, db::IdentityRepository& identities,
                      const AccessControl& access) {
  router.add(
      "GET", "/realm/",
      [&](http::RequestContext& c) {
        access.require_admin(c, "realmread");
        boost::json::object value;
        for (const auto& realm : identities.realms())
          value[realm.name] = realm_json(realm, identities);
        return json_result(value);
      },
      http::Access::authenticated);

  router.add(
      "POST", "/realm/<name>",
      [&](http::RequestContext& c) {
        const auto& name = c.path_params.at("name");
        // Not limited to a realm: choosing resolvers decides whose users a realm holds.
        access.require_admin(c, "realmwrite");
        check_identifier(name, "realm");
        auto resolvers = util::split_comma_list(required_param(c, "resolvers"));
        auto reason = identities.save_realm(name, resolvers);
        if (!reason.empty()) throw ApiError::bad_parameter(reason);
        boost::json::array added;
        for (const auto& r : resolvers) added.push_back(boost::json::string(r));
        return json_result(
            boost::json::object{{"added", std::move(added)}, {"failed", boost::json::array{}}});
      },
      http::Access::authenticated);

  router.add(
      "DELETE", "/realm/<name>",
      [&](http::RequestContext& c) {
        const auto& name = c.path_params.at("name");
        access.require_admin(c, "realmdelete");
        // Logins without a realm go to the default one: it goes last, or after another
        // realm takes its place.
        if (const auto fallback = identities.default_realm();
            fallback && fallback->name == name && identities.realms().size() > 1)
          throw ApiError::bad_parameter("realm '" + name +
                                        "' is the default realm: make another realm the default "
                                        "first (POST /defaultrealm/<name>)");
        if (!identities.delete_realm(name))
          throw ApiError::not_found("no realm named '" + name + "'");
        return json_result(1);
      },
      http::Access::authenticated);

  router.add(
      "POST", "/defaultrealm/<name>",
      [&](http::RequestContext& c) {
        const auto& name = c.path_params.at("name");
        access.require_admin(c, "realmwrite");  // the default realm affects every login
        if (!identities.set_default_realm(name))
          throw ApiError::not_found("no realm named '" + name + "'");
        return json_result(1);
      },
      http::Access::authenticated);

  router.add(
      "GET", "/defaultrealm",
      [&](http::RequestContext& c) {
        access.require_admin(c, "realmread");
        boost::json::object value;
        if (auto realm = identities.default_realm())
          value[realm->name] = realm_json(*realm, identities);
        return json_result(value);
      },
      http::Access::authenticated);
}

}  // namespace tessera::api
