// Finds users through realms and their resolvers, in the resolvers' priority order: the
// built-in SQL store ("sql") and LDAP directories ("ldap", read-only).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/config_cache.hpp"
#include "db/identity_repository.hpp"
#include "server/crypto/secret_box.hpp"
#include "server/identity/ldap_resolver.hpp"

namespace tessera::identity {

struct LocatedUser {
  db::UserRow user;
  std::string realm;
  std::string ldap_dn;  // set for users of an LDAP resolver
};

// An LDAP resolver's stored configuration: its settings, the bind password sealed.
std::string sealed_ldap_config(const std::string& resolver, const LdapSettings& settings,
                               const crypto::SecretBox& secrets);

class UserDirectory {
 public:
  UserDirectory(db::IdentityRepository& repository, db::ConfigCache& config,
                const crypto::SecretBox& secrets)
      : repository_(repository), config_(config), secrets_(secrets) {}

  // The realm, or the default realm when name is empty; nullopt when there is none.
  std::optional<db::RealmRow> realm(const std::string& name);
  // The first user of that name in the realm's resolvers. Throws LdapError when a directory
  // cannot be reached.
  std::optional<LocatedUser> find(const std::string& username, const std::string& realm);
  // The user in one resolver (the one a token names).
  std::optional<LocatedUser> find_in(const std::string& resolver, const std::string& username,
                                     const std::string& realm);
  // False when a user of the built-in store is gone; directory users are assumed to exist.
  bool may_still_exist(const std::string& resolver, const std::string& username);
  std::vector<db::UserRow> list(const db::RealmRow& realm, const std::string& pattern);
  bool check_password(const LocatedUser& user, const std::string& password);

  // Settings of an LDAP resolver with its bind password unsealed.
  LdapSettings ldap_settings(const db::ResolverRow& resolver) const;
  // The stored form of LDAP settings: JSON with the bind password sealed to this resolver.
  std::string store_ldap_settings(const std::string& resolver, const LdapSettings& settings) const;

 private:
  std::optional<db::ResolverRow> find_resolver(const std::string& name);

  db::IdentityRepository& repository_;
  db::ConfigCache& config_;
  const crypto::SecretBox& secrets_;
};

}  // namespace tessera::identity
