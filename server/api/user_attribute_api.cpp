// eduMFA's custom user attributes: /user/attribute (set, read), /user/attribute/<key>/<user>/
// <realm> (delete) and /user/editable_attributes/. Admins act on users of realms they may act
// on (rights set_custom_user_attributes, delete_custom_user_attributes, userlist); users on
// themselves, for the keys and values the user policies set_custom_user_attributes
// (":department: sales finance :room: *") and delete_custom_user_attributes ("room" or "*")
// name.
#include "server/api/user_attribute_api.hpp"

#include <map>
#include <sstream>

#include <boost/json.hpp>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"

namespace tessera::api {
namespace {

// ":key: value value :key2: *" -> {key: [value, value], key2: [*]}.
std::map<std::string, std::vector<std::string>> settable(const std::string& policy) {
  std::map<std::string, std::vector<std::string>> out;
  std::istringstream words(policy);
  std::string key;
  for (std::string word; words >> word;) {
    if (word.size() > 2 && word.front() == ':' && word.back() == ':') {
      key = word.substr(1, word.size() - 2);
      out[key];
    } else if (!key.empty()) {
      out[key].push_back(word);
    }
  }
  return out;
}

bool may_set(const std::map<std::string, std::vector<std::string>>& allowed, const std::string& key,
             const std::string& value) {
  for (const auto& name : {key, std::string("*")}) {
    const auto it = allowed.find(name);
    if (it == allowed.end()) continue;
    for (const auto& v : it->second)
      if (v == "*" || v == value) return true;
  }
  return false;
}

bool may_delete(const std::string& policy, const std::string& key) {
  std::istringstream words(policy);
  for (std::string word; words >> word;)
    if (word == "*" || word == key) return true;
  return false;
}

void check_key(const std::string& key) {
  if (key.empty() || key.size() > 64 ||
      key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
          std::string::npos)
    throw ApiError::bad_parameter("an attribute key has 1 to 64 letters, digits, '_', '-' or '.'");
}

class UserAttributeRoutes {
 public:
  explicit UserAttributeRoutes(const UserAttributeApiContext& x) : x_(x) {}

  // The user named by user (and realm): for a user, only herself.
  identity::LocatedUser user_named(http::RequestContext& c, const std::string& username,
                                   const std::string& realm, const char* admin_right) const {
    if (!c.identity->is_admin()) {
      if (username != c.identity->username || (!realm.empty() && realm != c.identity->realm))
        throw ApiError(403, 303, "you can act only on your own account");
      auto me = x_.directory.find_in(c.identity->resolver, c.identity->username, c.identity->realm);
      if (!me) throw ApiError(403, 303, "your account no longer exists");
      return *me;
    }
    auto user = x_.directory.find(username, realm);
    x_.access.require_admin(c, admin_right, user ? user->realm : realm);
    if (!user) throw ApiError::not_found("no user '" + username + "' in realm '" + realm + "'");
    c.audit.user = user->user.username;
    c.audit.realm = user->realm;
    return *user;
  }

  http::HttpResponse set(http::RequestContext& c) const {
    const auto user = user_named(c, required_param(c, "user", 255), string_param(c, "realm", 64),
                                 "set_custom_user_attributes");
    const auto key = required_param(c, "key", 64);
    check_key(key);
    const auto value = string_param(c, "value", 1024);
    if (!c.identity->is_admin() &&
        !may_set(settable(x_.access.user_value(c, "set_custom_user_attributes").value_or("")), key,
                 value))
      throw ApiError(403, 303,
                     "user policies do not allow setting '" + key + "' to '" + value +
                         "' (set_custom_user_attributes)");
    if (!x_.attributes.set(user.user.resolver, user.user.username, key, value,
                           string_param(c, "type", 32)))
      throw ApiError::bad_parameter("a user has at most 64 custom attributes");
    c.audit.info = "attribute " + key;
    return json_result(1);
  }

  http::HttpResponse get(http::RequestContext& c) const {
    const auto user =
        user_named(c, required_param(c, "user", 255), string_param(c, "realm", 64), "userlist");
    const auto all = x_.attributes.of(user.user.resolver, user.user.username);
    if (const auto key = string_param(c, "key", 64); !key.empty()) {
      const auto it = all.find(key);
      return json_result(it == all.end() ? boost::json::value(nullptr)
                                         : boost::json::value(it->second));
    }
    boost::json::object out;
    for (const auto& [key, value] : all) out[key] = value;
    return json_result(out);
  }

  http::HttpResponse remove(http::RequestContext& c) const {
    const auto& key = c.path_params.at("key");
    const auto user = user_named(c, c.path_params.at("username"), c.path_params.at("realm"),
                                 "delete_custom_user_attributes");
    if (!c.identity->is_admin() &&
        !may_delete(x_.access.user_value(c, "delete_custom_user_attributes").value_or(""), key))
      throw ApiError(
          403, 303,
          "user policies do not allow deleting '" + key + "' (delete_custom_user_attributes)");
    return json_result(x_.attributes.remove(user.user.resolver, user.user.username, key) ? 1 : 0);
  }

  http::HttpResponse editable(http::RequestContext& c) const {
    boost::json::object set;
    boost::json::array deletable;
    if (c.identity->is_admin()) {
      user_named(c, required_param(c, "user", 255), string_param(c, "realm", 64), "userlist");
      // An admin with the rights sets and deletes any key.
      set["*"] = boost::json::array{"*"};
      deletable.push_back("*");
    } else {
      for (const auto& [key, values] :
           settable(x_.access.user_value(c, "set_custom_user_attributes").value_or(""))) {
        boost::json::array list;
        for (const auto& v : values) list.push_back(boost::json::string(v));
        set[key] = std::move(list);
      }
      std::istringstream words(
          x_.access.user_value(c, "delete_custom_user_attributes").value_or(""));
      for (std::string word; words >> word;) deletable.push_back(boost::json::string(word));
    }
    return json_result(boost::json::object{{"set", set}, {"delete", deletable}});
  }

 private:
  UserAttributeApiContext x_;
};

}  // namespace

void add_user_attribute_routes(http::Router& router, const UserAttributeApiContext& context) {
  auto routes = std::make_shared<UserAttributeRoutes>(context);
  const auto authenticated = http::Access::authenticated;
  router.add(
      "POST", "/user/attribute", [routes](http::RequestContext& c) { return routes->set(c); },
      authenticated);
  router.add(
      "GET", "/user/attribute", [routes](http::RequestContext& c) { return routes->get(c); },
      authenticated);
  router.add(
      "DELETE", "/user/attribute/<key>/<username>/<realm>",
      [routes](http::RequestContext& c) { return routes->remove(c); }, authenticated);
  router.add(
      "GET", "/user/editable_attributes/",
      [routes](http::RequestContext& c) { return routes->editable(c); }, authenticated);
}

}  // namespace tessera::api
