// Failed logins per (account, client address), for lockout. Counting happens in the database
// with single conditional statements, so several server processes share one count.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "db/database.hpp"

namespace tessera::db {

struct LockoutPolicy {
  int max_failures = 5;              // failures within the window that lock
  std::chrono::seconds window{300};  // failures older than this are forgotten
  std::chrono::seconds lock_duration{300};
};

class AuthFailureRepository {
 public:
  AuthFailureRepository(Database& database, LockoutPolicy policy)
      : database_(database), policy_(policy) {}

  // Counts a login attempt before its password is checked, in one statement (so parallel
  // guesses never get more checks than max_failures): nullopt when the pair is locked (nothing
  // may be checked), otherwise whether a failure of this attempt locks it (it was the last one
  // allowed within the window). A successful attempt is cleared with clear().
  struct Attempt {
    bool locks_on_failure = false;
  };
  std::optional<Attempt> claim_attempt(const std::string& account, const std::string& client,
                                       long long now);
  const LockoutPolicy& policy() const { return policy_; }
  void clear(const std::string& account, const std::string& client);

 private:
  Database& database_;
  LockoutPolicy policy_;
};

}  // namespace tessera::db
