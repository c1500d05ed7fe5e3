// Failed logins per (account, client address), for lockout. Counting happens in the database
// with single conditional statements, so several server processes share one count.
#pragma once

#include <chrono>
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

  bool is_locked(const std::string& account, const std::string& client, long long now);
  // Counts a failure; locks the pair when it reaches max_failures within the window.
  void record_failure(const std::string& account, const std::string& client, long long now);
  void clear(const std::string& account, const std::string& client);

 private:
  Database& database_;
  LockoutPolicy policy_;
};

}  // namespace tessera::db
