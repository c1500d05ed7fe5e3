// Resolver dispatch by type; LDAP bind passwords are sealed in the resolver's stored settings.
#include "server/identity/user_directory.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "db/sealed_bindings.hpp"
#include "server/crypto/password_hash.hpp"

namespace tessera::identity {
namespace {

constexpr int kMaxListed = 1000;

}  // namespace

std::optional<db::RealmRow> UserDirectory::realm(const std::string& name) {
  const auto config = config_.current();
  const auto* found = name.empty() ? config->default_realm() : config->realm(name);
  if (!found) return std::nullopt;
  return *found;
}

std::optional<db::ResolverRow> UserDirectory::find_resolver(const std::string& name) {
  const auto config = config_.current();
  const auto* found = config->resolver(name);
  if (!found) return std::nullopt;
  return *found;
}

LdapSettings UserDirectory::ldap_settings(const db::ResolverRow& resolver) const {
  auto stored = boost::json::parse(resolver.config).as_object();
  std::string sealed;
  if (auto it = stored.find("bind_password_sealed"); it != stored.end()) {
    sealed = std::string(it->value().as_string());
    stored.erase("bind_password_sealed");
  }
  auto settings = LdapSettings::from_json(stored);
  if (!sealed.empty())
    settings.bind_password =
        secrets_.open(sealed, db::binding::resolver_bind_password(resolver.name));
  return settings;
}

std::string sealed_ldap_config(const std::string& resolver, const LdapSettings& settings,
                               const crypto::SecretBox& secrets) {
  auto json = settings.to_json();
  if (!settings.bind_password.empty())
    json["bind_password_sealed"] =
        secrets.seal(settings.bind_password, db::binding::resolver_bind_password(resolver));
  return boost::json::serialize(json);
}

std::string UserDirectory::store_ldap_settings(const std::string& resolver,
                                               const LdapSettings& settings) const {
  return sealed_ldap_config(resolver, settings, secrets_);
}

std::optional<LocatedUser> UserDirectory::find(const std::string& username,
                                               const std::string& name) {
  const auto config = config_.current();  // one snapshot for the realm and its resolvers
  const auto* realm = name.empty() ? config->default_realm() : config->realm(name);
  if (!realm) return std::nullopt;
  for (const auto& resolver_name : realm->resolvers) {
    const auto* resolver = config->resolver(resolver_name);
    if (!resolver) continue;
    if (resolver->type == "ldap") {
      LdapResolver ldap(resolver->name, ldap_settings(*resolver));
      if (auto user = ldap.find(username)) return LocatedUser{user->row, realm->name, user->dn};
    } else if (auto user = repository_.user(resolver_name, username)) {
      return LocatedUser{*user, realm->name, {}};
    }
  }
  return std::nullopt;
}

std::optional<LocatedUser> UserDirectory::find_in(const std::string& resolver_name,
                                                  const std::string& username,
                                                  const std::string& realm) {
  auto resolver = find_resolver(resolver_name);
  if (!resolver) return std::nullopt;
  if (resolver->type == "ldap") {
    LdapResolver ldap(resolver->name, ldap_settings(*resolver));
    if (auto user = ldap.find(username)) return LocatedUser{user->row, realm, user->dn};
    return std::nullopt;
  }
  if (auto user = repository_.user(resolver_name, username)) return LocatedUser{*user, realm, {}};
  return std::nullopt;
}

bool UserDirectory::may_still_exist(const std::string& resolver_name, const std::string& username) {
  auto resolver = find_resolver(resolver_name);
  if (!resolver) return false;
  return resolver->type != "sql" || repository_.user(resolver_name, username).has_value();
}

std::vector<db::UserRow> UserDirectory::list(const db::RealmRow& realm,
                                             const std::string& pattern) {
  std::vector<db::UserRow> users;
  for (const auto& resolver_name : realm.resolvers) {
    auto resolver = find_resolver(resolver_name);
    if (!resolver) continue;
    auto found =
        resolver->type == "ldap"
            ? LdapResolver(resolver->name, ldap_settings(*resolver)).list(pattern, kMaxListed)
            : repository_.users(resolver_name, pattern);
    users.insert(users.end(), found.begin(), found.end());
  }
  return users;
}

bool UserDirectory::check_password(const LocatedUser& user, const std::string& password) {
  if (!user.ldap_dn.empty()) {
    auto resolver = find_resolver(user.user.resolver);
    return resolver && LdapResolver(resolver->name, ldap_settings(*resolver))
                           .check_password(user.ldap_dn, password);
  }
  return !user.user.password_hash.empty() &&
         crypto::verify_password(password, user.user.password_hash);
}

}  // namespace tessera::identity
