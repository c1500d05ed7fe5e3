// The tokens of an eduMFA or privacyIDEA database (both keep eduMFA's tables: token, tokeninfo,
// tokenowner, realm), read as they are stored: nothing is decrypted here.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "db/database_url.hpp"

namespace tessera::migration {

struct EduMfaToken {
  std::string serial, type, description;
  std::string key_enc, key_iv, pin_hash;
  int otplen = 6, maxfail = 10, failcount = 0, count_window = 10, sync_window = 1000;
  long long count = 0;
  bool active = true, revoked = false, locked = false;
  std::string rollout_state;
  std::map<std::string, std::string> info;  // tokeninfo Key -> Value (not of Type password)
  std::vector<std::string> secret_info;     // the Keys of Type password (encrypted), unread
  // The first owner: the user's id in its resolver, the resolver's and the realm's names.
  std::string owner_id, owner_resolver, owner_realm;
};

// Every token, by serial. Throws std::runtime_error naming what is missing when the database
// is not an eduMFA or privacyIDEA one.
std::vector<EduMfaToken> read_edumfa_tokens(const db::DatabaseUrl& source);

}  // namespace tessera::migration
