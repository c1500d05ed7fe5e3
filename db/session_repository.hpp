// Ended sessions: a JWT stays valid until it expires unless its session ended here first (a
// logout, or an admin ending all of an account's sessions). Checked on every authenticated
// request, on every node.
#pragma once

#include <string>

#include "db/database.hpp"

namespace tessera::db {

class SessionRepository {
 public:
  explicit SessionRepository(Database& database) : database_(database) {}

  // Ends the session with this JWT id; the row is kept until expires_at (forgotten after).
  void revoke(const std::string& jti, long long expires_at, long long now);
  // Ends every session of account issued at or before now.
  void end_all(const std::string& account, long long now);
  // Whether the session with this id, of account, issued at issued_at, has ended.
  bool ended(const std::string& jti, const std::string& account, long long issued_at);

 private:
  Database& database_;
};

}  // namespace tessera::db
