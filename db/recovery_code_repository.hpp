// Password recovery codes (eduMFA's /recover), one per user, stored as an HMAC.
#pragma once

#include <optional>
#include <string>

#include "db/database.hpp"

namespace tessera::db {

struct RecoveryCodeRow {
  std::string code_hash;
  long long created_at = 0, expires_at = 0;
  int failures = 0;
};

class RecoveryCodeRepository {
 public:
  explicit RecoveryCodeRepository(Database& database) : database_(database) {}

  // Stores a new code unless one was made after not_before (no mail floods); true when stored.
  bool put(const std::string& resolver, const std::string& user, const RecoveryCodeRow& row,
           long long not_before);
  std::optional<RecoveryCodeRow> find(const std::string& resolver, const std::string& user);
  // Counts a wrong try; the code goes at the limit.
  void failed(const std::string& resolver, const std::string& user, int limit);
  void remove(const std::string& resolver, const std::string& user);

 private:
  Database& database_;
};

}  // namespace tessera::db
