#include "db/statistics_repository.hpp"

#include <map>
#include <set>

#include <soci/soci.h>

#include "db/row_values.hpp"

namespace tessera::db {

bool is_check(const std::string& action) {
  static const std::set<std::string> checks{"POST /validate/check", "GET /validate/check",
                                            "POST /validate/radiuscheck",
                                            "GET /validate/radiuscheck"};
  return checks.count(action) > 0;
}

void count_checks(soci::session& sql, const std::vector<AuditEntry>& entries) {
  std::map<long long, std::pair<long long, long long>> minutes;  // -> accepted, rejected
  for (const auto& e : entries)
    if (is_check(e.action))
      ++(e.success ? minutes[e.time_us / 60000000 * 60].first
                   : minutes[e.time_us / 60000000 * 60].second);
  for (const auto& [minute, counts] : minutes)
    sql << "INSERT INTO check_count (minute, accepted, rejected) VALUES (:m, :a, :r) ON CONFLICT "
           "(minute) DO UPDATE SET accepted = check_count.accepted + excluded.accepted, "
           "rejected = check_count.rejected + excluded.rejected",
        soci::use(minute), soci::use(counts.first), soci::use(counts.second);
}

std::vector<ChecksInMinute> StatisticsRepository::checks_per_minute(long long since,
                                                                    long long until) {
  return database_.with_session([&](soci::session& sql) {
    std::vector<ChecksInMinute> minutes;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT minute, accepted, rejected FROM check_count WHERE minute >= :f "
                        "AND minute < :u ORDER BY minute",
         soci::use(since), soci::use(until));
    for (const auto& r : rows)
      minutes.push_back({integer_at(r, 0), integer_at(r, 1), integer_at(r, 2)});
    return minutes;
  });
}

void StatisticsRepository::forget_checks_before(long long minute) {
  database_.write([&](soci::session& sql) {
    sql << "DELETE FROM check_count WHERE minute < :m", soci::use(minute);
  });
}

std::vector<TokenCount> StatisticsRepository::tokens_by_type_and_state() {
  return database_.with_session([&](soci::session& sql) {
    std::vector<TokenCount> counts;
    // The same precedence as the token list shows: revoked, locked, disabled, rollout state.
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT token_type, CASE WHEN revoked <> 0 THEN 'revoked' WHEN locked <> 0 "
                        "OR failcount >= maxfail THEN 'locked' WHEN active = 0 THEN 'disabled' "
                        "WHEN rollout_state = '' THEN 'enrolled' ELSE rollout_state END AS state, "
                        "COUNT(*) FROM token GROUP BY token_type, state ORDER BY 1, 2");
    for (const auto& r : rows)
      counts.push_back({r.get<std::string>(0), r.get<std::string>(1), integer_at(r, 2)});
    return counts;
  });
}

std::vector<long long> StatisticsRepository::certificates_expiring(
    long long now, const std::vector<long long>& horizons) {
  return database_.with_session([&](soci::session& sql) {
    std::vector<long long> counts;
    for (const long long horizon : horizons) {
      const long long until = now + horizon;
      long long count = 0;
      sql << "SELECT COUNT(*) FROM certificate WHERE revoked = 0 AND not_after > :n AND "
             "not_after <= :u",
          soci::use(now), soci::use(until), soci::into(count);
      counts.push_back(count);
    }
    return counts;
  });
}

long long StatisticsRepository::forget_checks_between(long long since, long long until) {
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "DELETE FROM check_count WHERE minute >= :s AND minute < :u",
         soci::use(since), soci::use(until));
    st.execute(true);
    return static_cast<long long>(st.get_affected_rows());
  });
}

long long StatisticsRepository::users_with_tokens(const std::string& realm, const std::string& type,
                                                  int active) {
  return database_.with_session([&](soci::session& sql) {
    long long count = 0;
    sql << "SELECT COUNT(*) FROM (SELECT DISTINCT owner_resolver, owner_user FROM token WHERE "
           "owner_user <> '' AND (:r1 = '' OR owner_realm = :r2) AND (:t1 = '' OR token_type = "
           ":t2) AND (:a1 < 0 OR active = :a2)) owners",
        soci::use(realm), soci::use(realm), soci::use(type), soci::use(type), soci::use(active),
        soci::use(active), soci::into(count);
    return count;
  });
}

}  // namespace tessera::db
