// One upsert per failure: a new window starts when the old one has passed; the lock is set in
// the same statement when the count reaches the limit.
#include "db/auth_failure_repository.hpp"

#include <soci/soci.h>

namespace tessera::db {

bool AuthFailureRepository::is_locked(const std::string& account, const std::string& client,
                                      long long now) {
  return database_.with_session([&](soci::session& sql) {
    long long locked_until = 0;
    sql << "SELECT locked_until FROM auth_failure WHERE account = :a AND client = :c",
        soci::use(account), soci::use(client), soci::into(locked_until);
    return sql.got_data() && locked_until > now;
  });
}

void AuthFailureRepository::record_failure(const std::string& account, const std::string& client,
                                           long long now) {
  const long long window_start_limit = now - policy_.window.count();
  const long long lock_until = now + policy_.lock_duration.count();
  const int max = policy_.max_failures;
  database_.with_session([&](soci::session& sql) {
    sql << "INSERT INTO auth_failure (account, client, failures, window_start, locked_until) "
           "VALUES (:a, :c, 1, :now, CASE WHEN 1 >= :max THEN :lock ELSE 0 END) "
           "ON CONFLICT (account, client) DO UPDATE SET "
           "failures = CASE WHEN auth_failure.window_start < :wstart THEN 1 "
           "ELSE auth_failure.failures + 1 END, "
           "window_start = CASE WHEN auth_failure.window_start < :wstart THEN :now "
           "ELSE auth_failure.window_start END, "
           "locked_until = CASE WHEN (CASE WHEN auth_failure.window_start < :wstart THEN 1 "
           "ELSE auth_failure.failures + 1 END) >= :max THEN :lock "
           "ELSE auth_failure.locked_until END",
        soci::use(account, "a"), soci::use(client, "c"), soci::use(now, "now"),
        soci::use(max, "max"), soci::use(lock_until, "lock"),
        soci::use(window_start_limit, "wstart");
  });
}

void AuthFailureRepository::clear(const std::string& account, const std::string& client) {
  database_.with_session([&](soci::session& sql) {
    sql << "DELETE FROM auth_failure WHERE account = :a AND client = :c", soci::use(account),
        soci::use(client);
  });
}

}  // namespace tessera::db
