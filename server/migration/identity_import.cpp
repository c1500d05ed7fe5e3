#include "server/migration/identity_import.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <set>

#include "server/identity/ldap_resolver.hpp"
#include "server/identity/user_directory.hpp"
#include "server/migration/source_rows.hpp"
#include "server/util/comma_list.hpp"

namespace tessera::migration {
namespace {

std::string first_of_list(const std::string& list) {
  return util::trim(std::string_view(list).substr(0, list.find(',')));
}

bool truthy(const std::string& value) {
  const auto v = lower(value);
  return v == "1" || v == "true" || v == "yes";
}

// eduMFA's USERINFO, a Python dict literal: { 'phone' : 'telephoneNumber', ... }. The quoted
// strings are read in pairs; nothing else of the text matters.
std::map<std::string, std::string> user_info(const std::string& text) {
  std::vector<std::string> quoted;
  for (size_t i = 0; i < text.size() && quoted.size() < 64; ++i) {
    if (text[i] != '\'' && text[i] != '"') continue;
    const auto end = text.find(text[i], i + 1);
    if (end == std::string::npos) break;
    quoted.push_back(text.substr(i + 1, end - i - 1));
    i = end;
  }
  std::map<std::string, std::string> pairs;
  for (size_t i = 0; i + 1 < quoted.size(); i += 2) pairs[quoted[i]] = quoted[i + 1];
  return pairs;
}

}  // namespace

IdentityImportPlan plan_identity_import(
    const EduMfaIdentities& found, const EduMfaSecrets& source_keys,
    const crypto::SecretBox& sealer, const std::function<bool(const std::string&)>& known_resolver,
    const std::function<bool(const std::string&)>& known_realm) {
  IdentityImportPlan plan;
  std::set<std::string> available;  // resolvers a realm may name: here already or coming over
  for (const auto& r : found.resolvers) {
    const auto which = "resolver " + r.name;
    if (known_resolver(r.name)) {
      plan.notes.emplace_back(which, "one of that name is here already: left as it is");
      available.insert(r.name);
      continue;
    }
    if (r.type != "ldapresolver") {
      plan.skipped.emplace_back(
          which, "type " + r.type +
                     ": Tessera has LDAP directories and its built-in user store (make the "
                     "resolver in Tessera, then import again for its users' tokens)");
      continue;
    }
    const auto get = [&](const char* key, const char* otherwise = "") {
      auto it = r.config.find(key);
      return it == r.config.end() || it->second.empty() ? std::string(otherwise) : it->second;
    };
    boost::json::object config{{"uri", first_of_list(get("LDAPURI"))},
                               {"base_dn", get("LDAPBASE")},
                               {"bind_dn", get("BINDDN")},
                               {"login_attribute", first_of_list(get("LOGINNAMEATTRIBUTE", "uid"))},
                               {"start_tls", truthy(get("START_TLS"))}};
    auto filter = util::trim(get("LDAPSEARCHFILTER", "(objectClass=inetOrgPerson)"));
    // eduMFA joins a list of conditions "(a)(b)" with AND itself.
    if (!filter.starts_with("(&") && filter.find(")(") != std::string::npos)
      filter = "(&" + filter + ")";
    config["user_filter"] = filter;
    if (!get("CACERTIFICATE").empty()) config["ca_file"] = get("CACERTIFICATE");
    if (const auto timeout = std::atoi(get("TIMEOUT", "5").c_str()); timeout > 0)
      config["timeout_seconds"] = std::min(timeout, 60);
    // The user fields both servers have (eduMFA's USERINFO may name more).
    static const std::set<std::string> kFields{"givenname", "surname",      "email",     "phone",
                                               "mobile",    "organization", "department"};
    boost::json::object attributes;
    for (const auto& [field, attribute] : user_info(get("USERINFO")))
      if (kFields.contains(field)) attributes[field] = attribute;
    if (!attributes.empty()) config["attributes"] = attributes;
    try {
      auto password = get("BINDPW");
      const auto type = r.types.find("BINDPW");
      if (!password.empty() && type != r.types.end() && type->second == "password")
        password = source_keys.value(password, EduMfaSecrets::Slot::config);
      if (!password.empty()) config["bind_password"] = password;
      OPENSSL_cleanse(password.data(), password.size());
      auto settings = identity::LdapSettings::from_json(config);
      plan.resolvers.push_back(
          {r.name, "ldap", identity::sealed_ldap_config(r.name, settings, sealer), 0});
      OPENSSL_cleanse(settings.bind_password.data(), settings.bind_password.size());
    } catch (const std::invalid_argument& e) {
      plan.skipped.emplace_back(which, e.what());
      continue;
    }
    available.insert(r.name);
    if (first_of_list(get("LOGINNAMEATTRIBUTE", "uid")) != get("LOGINNAMEATTRIBUTE", "uid"))
      plan.notes.emplace_back(which, "users log in by " +
                                         first_of_list(get("LOGINNAMEATTRIBUTE", "uid")) +
                                         " only (eduMFA had " + get("LOGINNAMEATTRIBUTE") + ")");
    // How eduMFA names its users (UIDTYPE) decides whether a token's owner can be told here.
    const auto login = lower(first_of_list(get("LOGINNAMEATTRIBUTE", "uid")));
    const auto uid_type = lower(get("UIDTYPE", "DN"));
    if (uid_type == login) {
      plan.names[r.name] = [](const std::string& id) { return std::optional<std::string>(id); };
    } else if (uid_type == "dn") {
      // uid=alice,ou=people,...: the first RDN names the user when it is the login attribute.
      plan.names[r.name] = [login](const std::string& dn) -> std::optional<std::string> {
        const auto equals = dn.find('='), comma = dn.find(',');
        if (equals == std::string::npos || dn.find('\\') != std::string::npos) return std::nullopt;
        if (lower(util::trim(dn.substr(0, equals))) != login) return std::nullopt;
        return util::trim(dn.substr(
            equals + 1, comma == std::string::npos ? std::string::npos : comma - equals - 1));
      };
    } else {
      plan.notes.emplace_back(which, "eduMFA names its users by " + get("UIDTYPE") +
                                         ", which is not the login name: their tokens come over "
                                         "unassigned");
    }
  }
  for (const auto& realm : found.realms) {
    const auto which = "realm " + realm.name;
    if (known_realm(realm.name)) {
      plan.notes.emplace_back(which, "one of that name is here already: left as it is");
      continue;
    }
    IdentityImportPlan::Realm made{realm.name, realm.is_default, {}};
    for (const auto& [resolver, priority] : realm.resolvers)
      if (available.contains(resolver))
        made.resolvers.emplace_back(resolver, priority);
      else
        plan.notes.emplace_back(which, "without resolver " + resolver + " (it did not come over)");
    if (made.resolvers.empty()) {
      plan.skipped.emplace_back(which, "none of its resolvers came over");
      continue;
    }
    plan.realms.push_back(std::move(made));
  }
  return plan;
}

std::pair<int, int> write_identity_import(soci::session& sql, db::Dialect dialect,
                                          const IdentityImportPlan& plan) {
  int resolvers = 0, realms = 0;
  for (const auto& row : plan.resolvers)
    resolvers += db::IdentityRepository::add_resolver_in(sql, row) ? 1 : 0;
  for (const auto& realm : plan.realms)
    realms += db::IdentityRepository::add_realm_in(sql, dialect, realm.name, realm.is_default,
                                                   realm.resolvers)
                  ? 1
                  : 0;
  return {resolvers, realms};
}

}  // namespace tessera::migration
