// One upsert per attempt, before the password is checked: a new window starts when the old one
// has passed; the lock is set in the same statement when the count reaches the limit.
#include "db/auth_failure_repository.hpp"

#include <soci/soci.h>

namespace tessera::db {

std::optional<AuthFailureRepository::Attempt> AuthFailureRepository::claim_attempt(
    const std::string& account, const std::string& client, long long now) {
  const long long window_start_limit = now - policy_.window.count();
  const long long lock_until = now + policy_.lock_duration.count();
  const int max = policy_.max_failures;
  // A new window starts when the old one has passed or its lock has ended. The count is the
  // number of attempts in the window, this one included; the lock is set as the count reaches
  // the limit (cleared again if this attempt succeeds).
  static constexpr const char* kFresh =
      "(auth_failure.window_start < :wstart OR "
      "(auth_failure.locked_until <> 0 AND auth_failure.locked_until <= :now))";
  int attempts = 0;
  long long locked_until = 0;
  const bool counted = database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << std::string(
                            "INSERT INTO auth_failure (account, client, failures, window_start, "
                            "locked_until) VALUES (:a, :c, 1, :now, "
                            "CASE WHEN 1 >= :max THEN :lock ELSE 0 END) "
                            "ON CONFLICT (account, client) DO UPDATE SET "
                            "failures = CASE WHEN ") +
                            kFresh + " THEN 1 ELSE auth_failure.failures + 1 END, " +
                            "locked_until = CASE WHEN " + kFresh +
                            " THEN (CASE WHEN 1 >= :max THEN :lock ELSE 0 END) "
                            "WHEN auth_failure.locked_until > :now THEN auth_failure.locked_until "
                            "WHEN auth_failure.failures + 1 >= :max THEN :lock ELSE 0 END, "
                            "window_start = CASE WHEN " +
                            kFresh +
                            " THEN :now ELSE auth_failure.window_start END "
                            "RETURNING failures, locked_until",
         soci::use(account, "a"), soci::use(client, "c"), soci::use(now, "now"),
         soci::use(max, "max"), soci::use(lock_until, "lock"),
         soci::use(window_start_limit, "wstart"), soci::into(attempts), soci::into(locked_until));
    return Database::fetch_one(st, [] { return true; }).value_or(false);
  });
  if (!counted || attempts > max) return std::nullopt;
  return Attempt{attempts >= max};
}

void AuthFailureRepository::clear(const std::string& account, const std::string& client) {
  database_.with_session([&](soci::session& sql) {
    sql << "DELETE FROM auth_failure WHERE account = :a AND client = :c", soci::use(account),
        soci::use(client);
  });
}

}  // namespace tessera::db
