// What an import from eduMFA or privacyIDEA makes of its realms and resolvers: an LDAP resolver
// becomes Tessera's (the bind password decrypted with eduMFA's key and sealed with Tessera's),
// a realm keeps its resolvers that came over; the others are listed with the reason. It also
// says how a token's owner, named by eduMFA's user id, is called here.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/identity_repository.hpp"
#include "server/crypto/secret_box.hpp"
#include "server/migration/edumfa_identities.hpp"
#include "server/migration/edumfa_secrets.hpp"

namespace tessera::migration {

struct IdentityImportPlan {
  struct Realm {
    std::string name;
    bool is_default = false;
    std::vector<std::pair<std::string, int>> resolvers;
  };
  std::vector<db::ResolverRow> resolvers;                    // to add
  std::vector<Realm> realms;                                 // to add
  std::vector<std::pair<std::string, std::string>> skipped;  // "resolver x" / "realm y", why
  std::vector<std::pair<std::string, std::string>> notes;
  // For each resolver that comes over: eduMFA's user id -> the user's login name here, or
  // nothing when it cannot be told without the directory.
  std::map<std::string, std::function<std::optional<std::string>(const std::string&)>> names;
};

// known_resolver / known_realm: whether Tessera has one of that name already (left as it is).
IdentityImportPlan plan_identity_import(
    const EduMfaIdentities& found, const EduMfaSecrets& source_keys,
    const crypto::SecretBox& sealer, const std::function<bool(const std::string&)>& known_resolver,
    const std::function<bool(const std::string&)>& known_realm);

// Inside the import's transaction. Returns how many resolvers and realms were added.
std::pair<int, int> write_identity_import(soci::session& sql, db::Dialect dialect,
                                          const IdentityImportPlan& plan);

}  // namespace tessera::migration
