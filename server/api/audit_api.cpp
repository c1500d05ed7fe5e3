// Audit rows carry no secret: only what the handler put into RequestContext::audit, the route,
// the outcome and the error message.
#include "server/api/audit_api.hpp"

#include <algorithm>
#include <chrono>
#include <map>

#include <boost/json/parse.hpp>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/util/clock.hpp"
#include "server/util/utf8.hpp"

namespace tessera::api {
namespace {

constexpr int kMaxPageSize = 500;

boost::json::object to_json(const db::AuditEntry& e) {
  return {{"number", e.id},
          {"date", e.time_us / 1e6},
          {"duration", e.duration_us / 1e6},
          {"action", e.action},
          {"success", e.success},
          {"serial", e.serial},
          {"token_type", e.token_type},
          {"user", e.username},
          {"realm", e.realm},
          {"administrator", e.administrator},
          {"actor_user", e.actor_user},
          {"actor_realm", e.actor_realm},
          {"client", e.client},
          {"policies", e.policies},
          {"info", e.info},
          {"sig_check", e.hash}};
}

std::string error_message(const http::HttpResponse& response) {
  if (response.status < 400 || response.content_type != "application/json") return {};
  boost::system::error_code ec;
  auto body = boost::json::parse(response.body, ec);
  if (ec || !body.is_object()) return {};
  const auto* message = body.as_object().if_contains("result");
  if (!message || !message->is_object()) return {};
  const auto* error = message->as_object().if_contains("error");
  if (!error || !error->is_object() || !error->as_object().contains("message")) return {};
  return std::string(error->as_object().at("message").as_string());
}

// Audit fields come from requests: keep valid UTF-8 only (PostgreSQL refuses anything else,
// and a NUL would end the stored text early), no control characters, and cut at a character
// boundary at most size bytes long.
std::string clip(const std::string& text, size_t size) {
  return util::printable_utf8(text, size);
}

// eduMFA's timelimit ("30m", "2h", "7d": rows younger than that) and since/until (Unix
// seconds, until excluded); a bad value is refused.
void read_time_range(const http::RequestContext& c, db::AuditFilter& filter) {
  constexpr long long kSecond = 1000000;
  constexpr long long kLatest = 99999999999;  // Unix seconds in the year 5138
  filter.since_us = long_param(c, "since", 1, kLatest).value_or(0) * kSecond;
  filter.until_us = long_param(c, "until", 1, kLatest).value_or(0) * kSecond;
  if (const auto limit = string_param(c, "timelimit", 16); !limit.empty()) {
    static const std::map<char, long long> units{{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    long long amount = 0;
    size_t used = 0;
    try {
      amount = std::stoll(limit, &used);
    } catch (const std::exception&) {
    }
    const auto unit = used + 1 == limit.size() ? units.find(limit.back()) : units.end();
    if (amount <= 0 || amount > 100000 || unit == units.end())
      throw ApiError::bad_parameter("timelimit is a number and a unit: s, m, h or d (e.g. 2h)");
    filter.since_us =
        std::max(filter.since_us, util::unix_microseconds() - amount * unit->second * kSecond);
  }
}

// The rows a request asks for: action, user, realm, serial, administrator, actor_user,
// actor_realm, success and the time range.
db::AuditFilter filter_of(const http::RequestContext& c) {
  db::AuditFilter filter;
  filter.action = string_param(c, "action");
  filter.username = string_param(c, "user");
  filter.realm = string_param(c, "realm");
  filter.serial = string_param(c, "serial");
  filter.administrator = string_param(c, "administrator");
  filter.actor_user = string_param(c, "actor_user");
  filter.actor_realm = string_param(c, "actor_realm");
  if (!string_param(c, "success").empty()) filter.success = bool_param(c, "success", true);
  read_time_range(c, filter);
  return filter;
}

// One CSV field: quoted, quotes doubled; text a spreadsheet would run as a formula (=, +, -, @
// first) gets a leading apostrophe.
std::string csv_field(std::string text) {
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@'))
    text.insert(0, "'");
  std::string out = "\"";
  for (const char ch : text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

}  // namespace

void add_audit_routes(http::Router& router, db::AuditRepository& repository, audit::AuditLog& log,
                      const AccessControl& access) {
  router.add(
      "GET", "/audit/",
      [&repository, &log, &access](http::RequestContext& c) {
        db::AuditFilter filter;
        if (c.identity->is_admin()) {
          access.require_admin(c, "auditlog", string_param(c, "realm"));
        } else {
          // A user reads only what they asked for and the rows about them, and only when user
          // policies allow it.
          if (!access.user_may(c, "auditlog"))
            throw ApiError(403, 303, "user policies do not allow reading the audit log");
        }
        filter = filter_of(c);
        if (!c.identity->is_admin()) {
          filter.username = c.identity->username;
          filter.realm = c.identity->realm;
          filter.own_view = true;
        }
        const int page = int_param(c, "page", 1, 1, 1000000);
        const int page_size = int_param(c, "page_size", 25, 1, kMaxPageSize);
        // Read your own writes: what was recorded before this request is there (unless the
        // database is down, in which case the search below fails anyway).
        log.flush();
        auto result = repository.search(filter, page, page_size);
        boost::json::array rows;
        for (auto& e : result.entries) {
          // A user's refused try at someone else's token reads as a try at a serial that does
          // not exist: it tells neither whose token it is nor its type.
          if (filter.own_view && (e.username != filter.username || e.realm != filter.realm)) {
            e.username = filter.username;
            e.realm = filter.realm;
            e.token_type.clear();
          }
          rows.push_back(to_json(e));
        }
        return json_result(page_value("auditdata", std::move(rows), result.total, page, page_size));
      },
      http::Access::authenticated);

  // eduMFA's download: the rows the filters select (realm, user, serial, action, success,
  // since/until or timelimit), newest first, as CSV; at most 100,000 rows.
  router.add(
      "GET", "/audit/<file>",
      [&repository, &log, &access](http::RequestContext& c) {
        if (!c.identity->is_admin()) throw ApiError(403, 303, "only admins download the audit log");
        access.require_admin(c, "auditlog_download", string_param(c, "realm"));
        const auto filter = filter_of(c);
        log.flush();
        std::string csv =
            "number,date,duration,action,success,serial,token_type,user,realm,administrator,"
            "client,policies,info\r\n";
        constexpr int kPage = 500, kMostRows = 100000;
        for (int page = 1; page <= kMostRows / kPage; ++page) {
          const auto result = repository.search(filter, page, kPage);
          for (const auto& e : result.entries)
            csv += std::to_string(e.id) + "," + std::to_string(e.time_us / 1000000) + "," +
                   std::to_string(e.duration_us) + "," + csv_field(e.action) + "," +
                   (e.success ? "1" : "0") + "," + csv_field(e.serial) + "," +
                   csv_field(e.token_type) + "," + csv_field(e.username) + "," +
                   csv_field(e.realm) + "," + csv_field(e.administrator) + "," +
                   csv_field(e.client) + "," + csv_field(e.policies) + "," + csv_field(e.info) +
                   "\r\n";
          if (result.entries.size() < static_cast<size_t>(kPage)) break;
        }
        http::HttpResponse response;
        response.content_type = "text/csv; charset=utf-8";
        response.body = std::move(csv);
        response.headers.emplace_back("Content-Disposition", "attachment; filename=\"audit.csv\"");
        return response;
      },
      http::Access::authenticated);
}

http::RequestObserver audit_observer(audit::AuditLog& log) {
  return [&log](const http::HttpRequest& request, const http::RequestContext* context,
                const http::HttpResponse& response, std::chrono::microseconds duration) {
    // Probes from load balancers and Prometheus would drown the log.
    if (response.route == "/healthz" || response.route == "/metrics") return;
    db::AuditEntry e;
    e.time_us = util::unix_microseconds();
    e.duration_us = duration.count();
    e.action = clip(request.method + " " + response.route, 160);
    e.success = response.status < 400;
    e.client = clip(request.remote_address, 64);
    if (context) {
      const auto& a = context->audit;
      e.serial = clip(a.serial, 64);
      e.token_type = clip(a.token_type, 64);
      e.username = clip(a.user, 255);
      e.realm = clip(a.realm, 255);
      e.policies = clip(a.policies, 512);
      e.info = clip(a.info, 512);
      if (a.success) e.success = e.success && *a.success;
      if (context->identity) {
        if (context->identity->is_admin()) {
          e.administrator = clip(context->identity->username, 255);
        } else {
          e.actor_user = clip(context->identity->username, 255);
          e.actor_realm = clip(context->identity->realm, 255);
          // Nothing else named: the user's own account was the object.
          if (e.username.empty()) {
            e.username = e.actor_user;
            e.realm = e.actor_realm;
          }
        }
      }
    }
    if (e.info.empty()) e.info = clip(error_message(response), 512);
    log.record(std::move(e));
  };
}

}  // namespace tessera::api
