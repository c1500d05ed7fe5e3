// Resolvers: user sources. The built-in SQL user store has type "sql" and no settings.
#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/identity_api.hpp"
#include "server/api/params.hpp"
#include "server/api/stale_save.hpp"
#include "server/identity/ldap_resolver.hpp"

namespace tessera::api {
namespace {

constexpr const char* kCensored = "__CENSORED__";

// The LDAP settings among the request's parameters, typed.
boost::json::object ldap_params(const http::RequestContext& c) {
  boost::json::object config;
  for (const auto& [key, value] : c.params) {
    if (key == "type" || key == "version") continue;
    if (key == "start_tls")
      config[key] = bool_param(c, "start_tls", false);
    else if (key == "timeout_seconds")
      config[key] = int_param(c, "timeout_seconds", 5, 1, 60);
    else if (key == "attributes" && value.is_object())
      config[key] = value;
    else
      config[key] = string_param(c, std::string(key).c_str(), 4096);
  }
  return config;
}

// LDAP settings from form or JSON parameters, validated, with the bind password sealed. A
// censored or missing password on an update keeps the stored one.
std::string ldap_config(const http::RequestContext& c, identity::UserDirectory& directory,
                        const std::optional<db::ResolverRow>& existing) {
  auto config = ldap_params(c);
  const auto password = config.contains("bind_password")
                            ? std::string(config.at("bind_password").as_string())
                            : std::string(kCensored);
  if (password == kCensored) {
    config.erase("bind_password");
    if (existing) {
      // Keep the stored password only for the same server and account: otherwise an admin who
      // never saw it could send it to a server of their choosing.
      auto old = directory.ldap_settings(*existing);
      auto same = [&](const char* key, const std::string& value) {
        return string_param(c, key, 4096) == value;
      };
      if (!same("uri", old.uri) || !same("bind_dn", old.bind_dn) || !same("ca_file", old.ca_file) ||
          bool_param(c, "start_tls", false) != old.start_tls)
        throw ApiError::bad_parameter(
            "give bind_password again: uri, bind_dn, start_tls or ca_file changed");
      config["bind_password"] = old.bind_password;
    }
  }
  try {
    return directory.store_ldap_settings(c.path_params.at("name"),
                                         identity::LdapSettings::from_json(config));
  } catch (const std::invalid_argument& e) {
    throw ApiError::bad_parameter(std::string("ldap resolver: ") + e.what());
  }
}

// What GET /resolver/types tells a form: each type's settings, their defaults and meaning.
boost::json::object resolver_types() {
  const identity::LdapSettings defaults;
  boost::json::object attributes;
  for (const auto& [field, attribute] : defaults.attributes) attributes[field] = attribute;
  auto setting = [](const char* description, boost::json::value fallback, bool required = false) {
    return boost::json::object{
        {"description", description}, {"default", std::move(fallback)}, {"required", required}};
  };
  return {{"sql",
           {{"description", "the built-in user store: users kept in Tessera's database"},
            {"editable", true},
            {"settings", boost::json::object{}}}},
          {"ldap",
           {{"description", "an LDAP directory, read-only: searched with a service account"},
            {"editable", false},
            {"settings",
             {{"uri", setting("ldap://host:389 or ldaps://host:636", "", true)},
              {"base_dn", setting("where users are searched (subtree)", "", true)},
              {"bind_dn", setting("the service account; empty: anonymous", "")},
              {"bind_password", setting("the service account's password (stored sealed)", "")},
              {"login_attribute", setting("the attribute users log in with",
                                          boost::json::string(defaults.login_attribute))},
              {"user_filter", setting("ANDed with (login_attribute=name)",
                                      boost::json::string(defaults.user_filter))},
              {"attributes",
               setting("Tessera field -> LDAP attribute; \"\" leaves a field empty", attributes)},
              {"start_tls", setting("StartTLS on an ldap:// connection",
                                    boost::json::value(defaults.start_tls))},
              {"ca_file", setting("CA certificates for TLS; empty: the system's", "")},
              {"timeout_seconds",
               setting("network and operation timeout, 1 to 60", defaults.timeout_seconds)}}}}}};
}

boost::json::object resolver_json(const db::ResolverRow& r, identity::UserDirectory& directory) {
  boost::json::object data;
  if (r.type == "ldap") {
    auto settings = directory.ldap_settings(r);
    data = settings.to_json();
    // Never shown, as eduMFA does; sending it back unchanged keeps the stored one.
    if (!settings.bind_password.empty()) data["bind_password"] = kCensored;
  }
  return {{"resolvername", r.name},
          {"type", r.type},
          {"data", std::move(data)},
          {"version", r.version}};
}

// eduMFA's /resolver/test: do these settings reach a directory? The settings are tried, not
// stored; a censored password is the stored one of the resolver named by 'resolver', for the
// same server and account only.
http::HttpResponse test_resolver(const http::RequestContext& c, db::IdentityRepository& identities,
                                 identity::UserDirectory& directory) {
  const auto type = required_param(c, "type", 32);
  if (type == "sql")
    return json_result(true, {{"description", "the built-in user store is always reachable"}});
  if (type != "ldap")
    throw ApiError::bad_parameter("unknown resolver type '" + type + "' (known: sql, ldap)");
  auto config = ldap_params(c);
  config.erase("resolver");
  if (string_param(c, "bind_password", 4096) == kCensored) {
    config.erase("bind_password");
    const auto name = string_param(c, "resolver", 64);
    if (auto stored = name.empty() ? std::nullopt : identities.resolver(name);
        stored && stored->type == "ldap") {
      const auto old = directory.ldap_settings(*stored);
      if (string_param(c, "uri", 4096) == old.uri &&
          string_param(c, "bind_dn", 4096) == old.bind_dn)
        config["bind_password"] = old.bind_password;
    }
  }
  try {
    const identity::LdapResolver resolver("test", identity::LdapSettings::from_json(config));
    const auto found = resolver.list("*", 5);
    return json_result(
        true, {{"description", "the directory answered with " + std::to_string(found.size()) +
                                   " of its users (at most 5 asked for)"}});
  } catch (const std::invalid_argument& e) {
    throw ApiError::bad_parameter(std::string("ldap resolver: ") + e.what());
  } catch (const identity::LdapError& e) {
    return json_result(false, {{"description", e.what()}});
  }
}

}  // namespace

void add_resolver_routes(http::Router& router, db::IdentityRepository& identities,
                         identity::UserDirectory& directory, const AccessControl& access) {
  router.add(
      "GET", "/resolver/",
      [&](http::RequestContext& c) {
        access.require_admin(c, "resolverread");
        boost::json::object value;
        for (const auto& r : identities.resolvers()) value[r.name] = resolver_json(r, directory);
        return json_result(value);
      },
      http::Access::authenticated);

  router.add(
      "POST", "/resolver/test",
      [&](http::RequestContext& c) {
        access.require_admin(c, "resolverwrite");
        return test_resolver(c, identities, directory);
      },
      http::Access::authenticated);

  router.add(
      "GET", "/resolver/types",
      [&](http::RequestContext& c) {
        access.require_admin(c, "resolverread");
        return json_result(resolver_types());
      },
      http::Access::authenticated);

  router.add(
      "POST", "/resolver/<name>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "resolverwrite");
        const auto& name = c.path_params.at("name");
        check_identifier(name, "resolver");
        const auto type = required_param(c, "type", 32);
        auto existing = identities.resolver(name);
        // The client's version, or else the one read here: the LDAP settings merged below
        // (the kept password) must not overwrite a save made in between.
        auto expected = version_param(c);
        if (!expected && existing) expected = existing->version;
        if (existing && existing->type != type)
          throw ApiError::bad_parameter("resolver '" + name + "' exists with type " +
                                        existing->type);
        if (type == "sql") {
          for (const auto& [key, unused] : c.params)
            if (key != "type" && key != "version")
              throw ApiError::bad_parameter("the sql resolver has no setting '" + std::string(key) +
                                            "'");
          refusing_stale([&] { identities.save_resolver({name, type, "{}"}, expected); });
        } else if (type == "ldap") {
          const db::ResolverRow row{name, type, ldap_config(c, directory, existing)};
          refusing_stale([&] { identities.save_resolver(row, expected); });
        } else {
          throw ApiError::bad_parameter("unknown resolver type '" + type + "' (known: sql, ldap)");
        }
        c.audit.info = "resolver " + name;
        return json_result(1);
      },
      http::Access::authenticated);

  // One resolver, as eduMFA answers it: {name: {...}}.
  router.add(
      "GET", "/resolver/<name>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "resolverread");
        const auto& name = c.path_params.at("name");
        auto r = identities.resolver(name);
        if (!r) throw ApiError::not_found("no resolver named '" + name + "'");
        return json_result(boost::json::object{{name, resolver_json(*r, directory)}});
      },
      http::Access::authenticated);

  router.add(
      "DELETE", "/resolver/<name>",
      [&](http::RequestContext& c) {
        access.require_admin(c, "resolverdelete");
        auto reason = identities.delete_resolver(c.path_params.at("name"),
                                                 bool_param(c, "delete_users", false));
        if (reason.rfind("no resolver", 0) == 0) throw ApiError::not_found(reason);
        if (!reason.empty()) throw ApiError::bad_parameter(reason);
        return json_result(1);
      },
      http::Access::authenticated);
}

}  // namespace tessera::api
