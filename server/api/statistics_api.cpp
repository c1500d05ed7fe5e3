// The dashboard's figures in one request: checks per minute over the last `minutes` minutes
// (every minute present, zeros included, so a chart needs no gap handling), tokens by type and
// state, and certificates expiring within 30, 60 and 90 days.
#include "server/api/statistics_api.hpp"

#include <map>

#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/util/clock.hpp"

namespace tessera::api {
namespace {

constexpr long long kDay = 24 * 60 * 60;

boost::json::object checks(db::StatisticsRepository& statistics, long long now, int minutes) {
  const long long current_minute = now / 60 * 60, first = current_minute - 60LL * (minutes - 1);
  std::map<long long, db::ChecksInMinute> counted;
  for (const auto& m : statistics.checks_per_minute(first, current_minute + 60))
    counted[m.minute] = m;
  boost::json::array series;
  long long accepted = 0, rejected = 0;
  for (long long minute = first; minute <= current_minute; minute += 60) {
    const auto found = counted.find(minute);
    const auto m = found == counted.end() ? db::ChecksInMinute{minute, 0, 0} : found->second;
    accepted += m.accepted;
    rejected += m.rejected;
    series.push_back({{"time", minute}, {"accepted", m.accepted}, {"rejected", m.rejected}});
  }
  return {{"minutes", std::move(series)}, {"accepted", accepted}, {"rejected", rejected}};
}

}  // namespace

void add_statistics_routes(http::Router& router, db::StatisticsRepository& statistics,
                           audit::AuditLog& audit_log, const AccessControl& access) {
  router.add(
      "GET", "/statistics/",
      [&statistics, &audit_log, &access](http::RequestContext& c) {
        access.require_admin(c, "statistics_read");
        audit_log.flush();  // this node's latest checks count too
        const int minutes = int_param(c, "minutes", 60, 1, 24 * 60);
        const long long now = util::unix_seconds();
        boost::json::array tokens;
        for (const auto& t : statistics.tokens_by_type_and_state())
          tokens.push_back({{"type", t.type}, {"state", t.state}, {"count", t.count}});
        const std::vector<long long> horizons{30 * kDay, 60 * kDay, 90 * kDay};
        const auto expiring = statistics.certificates_expiring(now, horizons);
        return json_result(
            boost::json::object{{"checks", checks(statistics, now, minutes)},
                                {"tokens", std::move(tokens)},
                                {"certificates_expiring",
                                 {{"30", expiring[0]}, {"60", expiring[1]}, {"90", expiring[2]}}}});
      },
      http::Access::authenticated);
}

}  // namespace tessera::api
