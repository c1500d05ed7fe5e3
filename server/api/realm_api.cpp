// Realms: named groups of resolvers, one of them the default realm. A user name is looked up in
// the realm's resolvers by priority (lower first), as eduMFA's priority.<resolver> says.
#include <algorithm>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/identity_api.hpp"
#include "server/api/params.hpp"
#include "server/api/stale_save.hpp"
#include "server/util/comma_list.hpp"

namespace tessera::api {

namespace {

boost::json::object realm_json(const db::RealmRow& realm, db::IdentityRepository& identities) {
  boost::json::array resolvers;
  for (size_t i = 0; i < realm.resolvers.size(); ++i) {
    auto row = identities.resolver(realm.resolvers[i]);
    resolvers.push_back({{"name", realm.resolvers[i]},
                         {"type", row ? row->type : std::string()},
                         {"priority", realm.priorities.at(i)}});
  }
  return {{"default", realm.is_default},
          {"resolver", std::move(resolvers)},
          {"version", realm.version}};
}

// resolvers=a,b with optional priority.a=2: without one a resolver takes its place in the list
// (1, 2, ...); a resolver named twice or a priority for one not listed is refused.
std::vector<std::pair<std::string, int>> resolvers_with_priorities(const http::RequestContext& c) {
  const auto names = util::split_comma_list(required_param(c, "resolvers"));
  std::vector<std::pair<std::string, int>> result;
  for (size_t i = 0; i < names.size(); ++i) {
    if (std::count(names.begin(), names.end(), names[i]) > 1)
      throw ApiError::bad_parameter("resolver '" + names[i] + "' is named twice");
    const auto key = "priority." + names[i];
    result.emplace_back(names[i], int_param(c, key.c_str(), static_cast<int>(i) + 1, 1, 999));
  }
  for (const auto& [key, unused] : c.params)
    if (key.starts_with("priority.") &&
        std::find(names.begin(), names.end(), key.substr(9)) == names.end())
      throw ApiError::bad_parameter("'" + std::string(key) + "' names a resolver not in resolvers");
  std::stable_sort(result.begin(), result.end(),
                   [](const auto& a, const auto& b) { return a.second < b.second; });
  return result;
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

  // eduMFA's superuser realms make a realm's users admins. Tessera's admins are accounts of
  // their own (tessera-server admin), so no realm is one: the answer says so.
  router.add(
      "GET", "/realm/superuser",
      [&](http::RequestContext& c) {
        access.require_admin(c, "realmread");
        return json_result(boost::json::array{},
                           {{"message",
                             "Tessera's admins are accounts of their own (tessera-server admin), "
                             "not users of a superuser realm"}});
      },
      http::Access::authenticated);

  router.add(
      "POST", "/realm/<name>",
      [&](http::RequestContext& c) {
        const auto& name = c.path_params.at("name");
        // Not limited to a realm: choosing resolvers decides whose users a realm holds.
        access.require_admin(c, "realmwrite");
        check_identifier(name, "realm");
        const auto resolvers = resolvers_with_priorities(c);
        auto reason = refusing_stale(
            [&] { return identities.save_realm(name, resolvers, version_param(c)); });
        if (!reason.empty()) throw ApiError::bad_parameter(reason);
        boost::json::array added;
        for (const auto& r : resolvers) added.push_back(boost::json::string(r.first));
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

  // eduMFA may have no default realm; Tessera keeps one while realms exist, since logins and
  // checks without a realm go there.
  router.add(
      "DELETE", "/defaultrealm",
      [&](http::RequestContext& c) -> http::HttpResponse {
        access.require_admin(c, "realmwrite");
        throw ApiError::bad_parameter(
            "Tessera always has a default realm while realms exist: make another realm the "
            "default (POST /defaultrealm/<name>) or delete the realm (DELETE /realm/<name>)");
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
