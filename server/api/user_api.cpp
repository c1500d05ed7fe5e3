// Users of the built-in SQL store. Admins manage users as their policies allow; a logged-in
// user sees and changes only their own record.
#include <algorithm>
#include <map>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/identity_api.hpp"
#include "server/api/params.hpp"
#include "server/api/stale_save.hpp"
#include "server/crypto/password_hash.hpp"
#include "server/util/comma_list.hpp"

namespace tessera::api {
namespace {

constexpr size_t kMaxField = 255;

// editable: users of the built-in store can be changed through the API; directory users cannot.
boost::json::object user_json(const db::UserRow& u, bool editable) {
  return {{"username", u.username},     {"userid", u.username}, {"resolver", u.resolver},
          {"givenname", u.given_name},  {"surname", u.surname}, {"email", u.email},
          {"phone", u.phone},           {"mobile", u.mobile},   {"organization", u.organization},
          {"department", u.department}, {"editable", editable}, {"version", u.version}};
}

constexpr int kMaxPageSize = 500;

// GET /user/?realm=*: the users of every realm the admin may list, each named with its realm,
// ordered by realm and name; page and page_size read it a page at a time.
boost::json::object users_of_all_realms(http::RequestContext& c, db::IdentityRepository& identities,
                                        identity::UserDirectory& directory,
                                        const AccessControl& access) {
  const auto pattern = string_param(c, "username", kMaxField);
  const int page = int_param(c, "page", 1, 1, 1000000);
  const int page_size = int_param(c, "page_size", 50, 1, kMaxPageSize);
  std::vector<boost::json::object> all;
  std::map<std::string, bool> editable;  // per resolver: looked up once, not once per user
  bool allowed_somewhere = false;
  for (const auto& realm : identities.realms()) {
    try {
      access.require_admin(c, "userlist", realm.name);
    } catch (const ApiError& e) {
      if (e.http_status() == 403) continue;
      throw;
    }
    allowed_somewhere = true;
    auto users = directory.list(realm, pattern);
    std::sort(users.begin(), users.end(),
              [](const auto& a, const auto& b) { return a.username < b.username; });
    for (const auto& u : users) {
      auto known = editable.find(u.resolver);
      if (known == editable.end()) {
        const auto resolver = identities.resolver(u.resolver);
        known = editable.emplace(u.resolver, resolver && resolver->type == "sql").first;
      }
      auto row = user_json(u, known->second);
      row["realm"] = realm.name;
      all.push_back(std::move(row));
    }
  }
  if (!allowed_somewhere) access.require_admin(c, "userlist");  // the refusal, with its reason
  const auto first = std::min(all.size(), static_cast<size_t>(page - 1) * page_size);
  const auto last = std::min(all.size(), first + page_size);
  boost::json::array users;
  for (auto i = first; i < last; ++i) users.push_back(std::move(all[i]));
  return page_value("users", std::move(users), static_cast<long long>(all.size()), page, page_size);
}

// Copies the fields present in the request onto row; a new password is hashed.
void apply_fields(const http::RequestContext& c, db::UserRow& row) {
  auto field = [&](const char* key, std::string& target) {
    if (c.params.contains(key)) target = string_param(c, key, kMaxField);
  };
  field("givenname", row.given_name);
  field("surname", row.surname);
  field("email", row.email);
  field("phone", row.phone);
  field("mobile", row.mobile);
  field("organization", row.organization);
  field("department", row.department);
  if (c.params.contains("password")) {
    auto password = string_param(c, "password");
    if (password.size() < 8)
      throw ApiError::bad_parameter("a password needs at least 8 characters");
    row.password_hash = crypto::hash_password(password);
  }
}

// The attributes a user may change in her own record: user policy editable_attributes (a list:
// givenname surname email phone mobile organization department), by default only those that
// never reach a certificate. Anything else in the request is refused before anything changes.
void check_editable_by_user(http::RequestContext& c, const AccessControl& access) {
  const auto granted = access.user_value(c, "editable_attributes").value_or("phone mobile");
  const auto editable = util::split_word_list(granted);
  for (const char* key :
       {"givenname", "surname", "email", "phone", "mobile", "organization", "department"})
    if (c.params.contains(key) &&
        std::find(editable.begin(), editable.end(), key) == editable.end())
      throw ApiError(403, 303,
                     std::string("user policies do not let you change your ") + key +
                         " (editable_attributes: " + granted + ")");
}

// The resolver named in the request; when a realm is named too, the resolver must belong to it.
db::ResolverRow resolver_of(db::IdentityRepository& identities, const std::string& resolver_name,
                            const std::string& realm) {
  auto resolver = identities.resolver(resolver_name);
  if (!resolver) throw ApiError::not_found("no resolver named '" + resolver_name + "'");
  if (resolver->type != "sql")
    throw ApiError::bad_parameter("resolver '" + resolver_name + "' (" + resolver->type +
                                  ") is read-only: change its users in the directory");
  if (!realm.empty()) {
    auto row = identities.realm(realm);
    if (!row) throw ApiError::not_found("no realm named '" + realm + "'");
    if (std::find(row->resolvers.begin(), row->resolvers.end(), resolver_name) ==
        row->resolvers.end())
      throw ApiError::bad_parameter("resolver '" + resolver_name + "' is not in realm '" + realm +
                                    "'");
  }
  return *resolver;
}

}  // namespace

void add_user_routes(http::Router& router, db::IdentityRepository& identities,
                     identity::UserDirectory& directory, const AccessControl& access) {
  router.add(
      "GET", "/user/",
      [&](http::RequestContext& c) {
        boost::json::array users;
        if (!c.identity->is_admin()) {
          // A user sees exactly their own record, whatever the filters say.
          if (auto me =
                  directory.find_in(c.identity->resolver, c.identity->username, c.identity->realm))
            users.push_back(user_json(me->user, me->ldap_dn.empty()));
          return json_result(users);
        }
        const auto realm_name = string_param(c, "realm", 64);
        if (realm_name == "*")
          return json_result(users_of_all_realms(c, identities, directory, access));
        auto realm = directory.realm(realm_name);
        access.require_admin(c, "userlist", realm ? realm->name : realm_name);
        if (!realm)
          throw ApiError::not_found("no realm '" + realm_name + "' (and no default realm)");
        c.audit.realm = realm->name;
        for (const auto& u : directory.list(*realm, string_param(c, "username", kMaxField))) {
          auto resolver = identities.resolver(u.resolver);
          users.push_back(user_json(u, resolver && resolver->type == "sql"));
        }
        return json_result(users);
      },
      http::Access::authenticated);

  router.add(
      "POST", "/user/",
      [&](http::RequestContext& c) {
        const auto realm = string_param(c, "realm", 64);
        access.require_admin(c, "adduser", realm);
        db::UserRow row;
        row.username = required_param(c, "user", kMaxField);
        row.resolver = required_param(c, "resolver", 64);
        c.audit.user = row.username;
        c.audit.realm = realm;
        resolver_of(identities, row.resolver, realm);
        apply_fields(c, row);
        if (!identities.add_user(row))
          throw ApiError::bad_parameter("user '" + row.username + "' exists in resolver " +
                                        row.resolver);
        return json_result(1);
      },
      http::Access::authenticated);

  router.add(
      "PUT", "/user/",
      [&](http::RequestContext& c) {
        std::optional<db::UserRow> row;
        if (c.identity->is_admin()) {
          const auto realm = string_param(c, "realm", 64);
          access.require_admin(c, "updateuser", realm);
          const auto resolver = required_param(c, "resolver", 64);
          resolver_of(identities, resolver, realm);
          row = identities.user(resolver, required_param(c, "user", kMaxField));
        } else {
          // Users change their own record only; user/resolver parameters cannot redirect that.
          if (!access.user_may(c, "updateuser"))
            throw ApiError(403, 303, "user policies do not allow changing your user data");
          if (auto me = directory.find_in(c.identity->resolver, c.identity->username,
                                          c.identity->realm)) {
            if (!me->ldap_dn.empty())
              throw ApiError::bad_parameter(
                  "your user data comes from a directory: change it there");
            check_editable_by_user(c, access);
            // A stolen token must not become a permanent takeover: a new password needs the
            // current one.
            if (c.params.contains("password") &&
                !directory.check_password(*me, string_param(c, "current_password")))
              throw ApiError(
                  403, 303,
                  "changing your password needs your current password (current_password)");
            row = me->user;
          }
        }
        if (!row) throw ApiError::not_found("no such user");
        c.audit.user = row->username;
        apply_fields(c, *row);
        // Without a version from the client, at least against the one read above: a change
        // saved in between (a new password) is not overwritten with the old record.
        const auto expected = version_param(c).value_or(row->version);
        if (!refusing_stale([&] { return identities.update_user(*row, expected); }))
          throw ApiError::not_found("no such user");
        return json_result(1);
      },
      http::Access::authenticated);

  router.add(
      "DELETE", "/user/<resolver>/<username>",
      [&](http::RequestContext& c) {
        const auto realm = string_param(c, "realm", 64);
        access.require_admin(c, "deleteuser", realm);
        c.audit.user = c.path_params.at("username");
        resolver_of(identities, c.path_params.at("resolver"), realm);
        if (!identities.delete_user(c.path_params.at("resolver"), c.path_params.at("username")))
          throw ApiError::not_found("no user '" + c.path_params.at("username") + "' in resolver " +
                                    c.path_params.at("resolver"));
        return json_result(1);
      },
      http::Access::authenticated);
}

}  // namespace tessera::api
