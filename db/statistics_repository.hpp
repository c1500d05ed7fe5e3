// The figures behind the admins' dashboard, counted by the database over every node's rows:
// checks per minute from the audit log, tokens by type and state, certificates by expiry.
#pragma once

#include <string>
#include <vector>

#include "db/audit_repository.hpp"
#include "db/database.hpp"

namespace tessera::db {

// Whether an audited action is a check of a factor (/validate/check, /validate/radiuscheck).
bool is_check(const std::string& action);
// Adds the checks among entries to their minutes' counts, inside the audit writer's transaction.
void count_checks(soci::session& sql, const std::vector<AuditEntry>& entries);

struct ChecksInMinute {
  long long minute = 0;  // Unix time of the minute's start, in seconds
  long long accepted = 0;
  long long rejected = 0;  // wrong, refused or only a challenge triggered
};

struct TokenCount {
  std::string type;
  std::string state;  // revoked, locked, disabled, or the rollout state ("enrolled" when none)
  long long count = 0;
};

class StatisticsRepository {
 public:
  explicit StatisticsRepository(Database& database) : database_(database) {}

  // Minutes in [since, until) (Unix seconds) that saw checks, oldest first (from the counts).
  std::vector<ChecksInMinute> checks_per_minute(long long since, long long until);
  // The per-minute counts are kept for a week (the dashboard shows a day at most).
  void forget_checks_before(long long minute);
  std::vector<TokenCount> tokens_by_type_and_state();
  // For each horizon (seconds from now), the certificates not revoked that are valid now and
  // expire within it.
  std::vector<long long> certificates_expiring(long long now,
                                               const std::vector<long long>& horizons);
  // Removes the per-minute check counts in [since, until); how many minutes went.
  long long forget_checks_between(long long since, long long until);
  // Users who own a token (eduMFA's users_with_token), narrowed by realm, type and active
  // when those are given.
  long long users_with_tokens(const std::string& realm, const std::string& type, int active);

 private:
  Database& database_;
};

}  // namespace tessera::db
