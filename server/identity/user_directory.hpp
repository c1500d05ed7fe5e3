// Finds users through realms and their resolvers, in the resolvers' priority order. Today the
// resolvers are built-in SQL stores; an LDAP resolver plugs in here.
#pragma once

#include <optional>
#include <string>

#include "db/identity_repository.hpp"

namespace tessera::identity {

struct LocatedUser {
  db::UserRow user;
  std::string realm;
};

class UserDirectory {
 public:
  explicit UserDirectory(db::IdentityRepository& repository) : repository_(repository) {}

  // The realm's name, or the default realm's when realm is empty; nullopt when there is none.
  std::optional<db::RealmRow> realm(const std::string& realm);
  // The first user of that name in the realm's resolvers.
  std::optional<LocatedUser> find(const std::string& username, const std::string& realm);

 private:
  db::IdentityRepository& repository_;
};

}  // namespace tessera::identity
