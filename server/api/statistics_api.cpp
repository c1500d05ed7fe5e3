// The dashboard's figures in one request: checks per minute over the last `minutes` minutes
// (every minute present, zeros included, so a chart needs no gap handling), tokens by type and
// state, and certificates expiring within 30, 60 and 90 days.
#include "server/api/statistics_api.hpp"

#include <ctime>
#include <map>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/util/clock.hpp"
#include "server/util/validity_time.hpp"

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

// eduMFA's monitoring keys, from the per-minute check counts.
constexpr const char* kAccepted = "checks_accepted";
constexpr const char* kRejected = "checks_rejected";

const std::string& stats_key(const http::RequestContext& c) {
  const auto& key = c.path_params.at("key");
  if (key != kAccepted && key != kRejected)
    throw ApiError::not_found("no statistics key '" + key + "' (known: " + kAccepted + ", " +
                              kRejected + ")");
  return key;
}

// start/end: Unix seconds or eduMFA's time stamps ("2026-12-07T10:00+0100").
long long time_param(const http::RequestContext& c, const char* key, long long fallback) {
  const auto text = string_param(c, key, 64);
  if (text.empty()) return fallback;
  if (text.find_first_not_of("0123456789") == std::string::npos && text.size() < 12)
    return std::stoll(text);
  if (auto parsed = util::parse_validity_time(text)) return *parsed;
  throw ApiError::bad_parameter(std::string(key) +
                                " is Unix seconds or a time like 2026-12-07T10:00+0100");
}

// eduMFA's AUTH_DATE_FORMAT, in UTC.
std::string stamp(long long seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S.000000+0000", &tm);
  return text;
}

}  // namespace

void add_monitoring_routes(http::Router& router, db::StatisticsRepository& statistics,
                           audit::AuditLog& audit_log, const AccessControl& access) {
  const auto authenticated = http::Access::authenticated;
  router.add(
      "GET", "/monitoring/",
      [&access](http::RequestContext& c) {
        access.require_admin(c, "statistics_read");
        return json_result(boost::json::array{kAccepted, kRejected});
      },
      authenticated);
  const auto series = [&statistics, &audit_log](http::RequestContext& c) {
    const auto& key = stats_key(c);
    audit_log.flush();
    const long long now = util::unix_seconds();
    const auto since = time_param(c, "start", now - 7 * kDay);
    const auto until = time_param(c, "end", now + 60);
    boost::json::array values;
    for (const auto& m : statistics.checks_per_minute(since, until))
      values.push_back(
          {boost::json::string(stamp(m.minute)), key == kAccepted ? m.accepted : m.rejected});
    return values;
  };
  router.add(
      "GET", "/monitoring/<key>",
      [&access, series](http::RequestContext& c) {
        access.require_admin(c, "statistics_read");
        return json_result(series(c));
      },
      authenticated);
  router.add(
      "GET", "/monitoring/<key>/last",
      [&access, series](http::RequestContext& c) {
        access.require_admin(c, "statistics_read");
        const auto values = series(c);
        return json_result(values.empty() ? boost::json::value(0) : values.back().as_array().at(1));
      },
      authenticated);
  // Both keys come from one count per minute: deleting a range deletes both.
  router.add(
      "DELETE", "/monitoring/<key>",
      [&access, &statistics](http::RequestContext& c) {
        access.require_admin(c, "statistics_delete");
        stats_key(c);
        const auto removed = statistics.forget_checks_between(
            time_param(c, "start", 0), time_param(c, "end", util::unix_seconds() + 60));
        c.audit.info = "deleted " + std::to_string(removed) + " minutes of check counts";
        return json_result(removed);
      },
      authenticated);
  router.add(
      "GET", "/stats/current/users_with_token",
      [&access, &statistics](http::RequestContext& c) {
        access.require_admin(c, "statistics_read");
        const int active = c.params.contains("active") ? bool_param(c, "active", true) : -1;
        return json_result(statistics.users_with_tokens(string_param(c, "realm", 64),
                                                        string_param(c, "type", 32), active));
      },
      authenticated);
}

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
