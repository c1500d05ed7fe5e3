#include "db/statistics_repository.hpp"

#include <soci/soci.h>

#include "db/row_values.hpp"

namespace tessera::db {

std::vector<ChecksInMinute> StatisticsRepository::checks_per_minute(long long since,
                                                                    long long until) {
  const long long from_us = since * 1000000, until_us = until * 1000000;
  return database_.with_session([&](soci::session& sql) {
    std::vector<ChecksInMinute> minutes;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT time_us / 60000000, SUM(success), COUNT(*) FROM audit WHERE "
                        "time_us >= :f AND time_us < :u AND action IN ('POST /validate/check', "
                        "'GET /validate/check', 'POST /validate/radiuscheck', 'GET "
                        "/validate/radiuscheck') GROUP BY time_us / 60000000 ORDER BY 1",
         soci::use(from_us), soci::use(until_us));
    for (const auto& r : rows) {
      const long long accepted = integer_at(r, 1), all = integer_at(r, 2);
      minutes.push_back({integer_at(r, 0) * 60, accepted, all - accepted});
    }
    return minutes;
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

}  // namespace tessera::db
