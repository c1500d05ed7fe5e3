// The realms and resolvers of an eduMFA or privacyIDEA database (tables realm, resolver,
// resolverconfig, resolverrealm), read as they are stored.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "db/database_url.hpp"

namespace tessera::migration {

struct EduMfaResolver {
  std::string name, type;                     // type: ldapresolver, sqlresolver, ...
  std::map<std::string, std::string> config;  // Key -> Value
  std::map<std::string, std::string> types;   // Key -> Type ("password": encrypted)
};

struct EduMfaRealm {
  std::string name;
  bool is_default = false;
  std::vector<std::pair<std::string, int>> resolvers;  // name, priority (lower first)
};

struct EduMfaIdentities {
  std::vector<EduMfaResolver> resolvers;
  std::vector<EduMfaRealm> realms;
};

EduMfaIdentities read_edumfa_identities(const db::DatabaseUrl& source);

}  // namespace tessera::migration
