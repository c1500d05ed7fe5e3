// Token groups and service IDs: named entries with a description that admins manage
// (tokengroup_add/_list/_delete, serviceid_add/_list/_delete), and tokens put into groups
// (tokengroups) on the rights an admin has for the token's realm.
#include "server/api/token_group_api.hpp"

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/api/token_access.hpp"
#include "server/util/comma_list.hpp"

namespace tessera::api {
namespace {

// /tokengroup/ or /serviceid/: GET lists {name: {description}}, POST saves, DELETE removes.
void add_named_routes(http::Router& router, const std::string& prefix, const std::string& right,
                      const char* what, db::DescribedNames& names, const AccessControl& access,
                      db::TokenGroups* members) {
  const auto authenticated = http::Access::authenticated;
  for (const auto& path : {prefix + "/", prefix + "/<name>"})
    router.add(
        "GET", path,
        [&names, &access, right](http::RequestContext& c) {
          access.require_admin(c, right + "_list");
          const auto it = c.path_params.find("name");
          boost::json::object value;
          for (const auto& [name, description] :
               names.list(it == c.path_params.end() ? "" : it->second))
            value[name] = {{"description", description}};
          return json_result(value);
        },
        authenticated);
  router.add(
      "POST", prefix + "/<name>",
      [&names, &access, right, what](http::RequestContext& c) {
        access.require_admin(c, right + "_add");
        const auto& name = c.path_params.at("name");
        check_identifier(name, what);
        names.save(name, string_param(c, "description", 255));
        c.audit.info = std::string(what) + " " + name;
        return json_result(1);
      },
      authenticated);
  router.add(
      "DELETE", prefix + "/<name>",
      [&names, &access, right, what, members](http::RequestContext& c) {
        access.require_admin(c, right + "_delete");
        const auto& name = c.path_params.at("name");
        if (members)
          if (const auto n = members->members(name); n > 0)
            throw ApiError::bad_parameter(std::string(what) + " '" + name + "' still has " +
                                          std::to_string(n) +
                                          " tokens: take them out first (DELETE "
                                          "/token/group/<serial>/<name>)");
        if (!names.remove(name))
          throw ApiError::not_found(std::string("no ") + what + " '" + name + "'");
        return json_result(1);
      },
      authenticated);
}

}  // namespace

void add_token_group_routes(http::Router& router, const TokenGroupApiContext& x) {
  add_named_routes(router, "/tokengroup", "tokengroup", "token group", x.token_groups, x.access,
                   &x.members);
  add_named_routes(router, "/serviceid", "serviceid", "service ID", x.service_ids, x.access,
                   nullptr);
  const auto authenticated = http::Access::authenticated;
  const auto token_of = [x](http::RequestContext& c) {
    if (!c.identity->is_admin()) throw ApiError(403, 303, "only admins put tokens into groups");
    const auto serial = c.path_params.at("serial");
    auto token = x.tokens.find(serial);
    if (!token) throw ApiError::not_found("no token " + serial);
    authorize_token(x.access, c, *token, "tokengroups");
    return *token;
  };
  // One group by path, or exactly the groups listed in 'groups' (a list or comma-separated).
  for (const char* path : {"/token/group/<serial>/<group>", "/token/group/<serial>"})
    router.add(
        "POST", path,
        [x, token_of](http::RequestContext& c) {
          const auto token = token_of(c);
          if (auto it = c.path_params.find("group"); it != c.path_params.end()) {
            if (!x.members.add(token.serial, it->second))
              throw ApiError::not_found("no token group '" + it->second + "'");
            return json_result(1);
          }
          std::vector<std::string> groups;
          if (const auto* list = c.params.if_contains("groups"); list && list->is_array()) {
            for (const auto& g : list->get_array()) {
              if (!g.is_string()) throw ApiError::bad_parameter("groups holds group names");
              groups.emplace_back(g.get_string());
            }
          } else {
            groups = util::split_comma_list(required_param(c, "groups", 4096));
          }
          if (groups.size() > 64) throw ApiError::bad_parameter("a token is in at most 64 groups");
          if (auto missing = x.members.set(token.serial, groups))
            throw ApiError::not_found("no token group '" + *missing + "'");
          return json_result(1);
        },
        authenticated);
  router.add(
      "DELETE", "/token/group/<serial>/<group>",
      [x, token_of](http::RequestContext& c) {
        const auto token = token_of(c);
        if (!x.members.remove(token.serial, c.path_params.at("group")))
          throw ApiError::not_found("token " + token.serial + " is not in group '" +
                                    c.path_params.at("group") + "'");
        return json_result(1);
      },
      authenticated);
}

}  // namespace tessera::api
