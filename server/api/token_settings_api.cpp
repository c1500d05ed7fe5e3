// eduMFA's token editing routes: /token/set (an admin's settings and limits), /token/description,
// /token/info, /token/copypin and /token/copyuser, /token/setrandompin, /token/getserial and
// /token/challenges/. Every change goes through the same rights as eduMFA's (admin actions set,
// setdescription, settokeninfo, ...), on tokens of realms the admin may act on.
#include <ctime>

#include <boost/json.hpp>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/api/token_access.hpp"
#include "server/api/token_api.hpp"
#include "server/crypto/random.hpp"
#include "server/plugins/component_instance.hpp"
#include "server/util/clock.hpp"
#include "server/util/validity_time.hpp"

namespace tessera::api {
namespace {

// Info entries the host or a plugin owns: changed only through /token/set (hashlib, timeStep,
// ...) or never (a certificate's).
bool protected_info(const std::string& key) {
  static const char* owned[] = {"hashlib",
                                "tokenkind",
                                "timeStep",
                                "timeWindow",
                                "timeShift",
                                "ca",
                                "profile",
                                "certificate",
                                "certificate_serial",
                                "not_after",
                                "external_ca",
                                "validity_period_start",
                                "validity_period_end",
                                "ssh_key"};
  for (const char* name : owned)
    if (key == name) return true;
  return false;
}

void check_info_entry(const std::string& key, const std::string& value) {
  if (key.empty() || key.size() > 64 ||
      key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
          std::string::npos)
    throw ApiError::bad_parameter("an info key has 1 to 64 letters, digits, '_', '-' or '.'");
  if (protected_info(key))
    throw ApiError::bad_parameter("info '" + key +
                                  "' belongs to the token's type or its certificate: set hashlib, "
                                  "timestep, timewindow and timeshift with POST /token/set");
  if (value.size() > 1024) throw ApiError::bad_parameter("an info value has at most 1024 bytes");
}

class TokenSettingsRoutes {
 public:
  explicit TokenSettingsRoutes(const TokenApiContext& x) : x_(x) {}

  // eduMFA's /token/set: value = how many settings were set.
  http::HttpResponse set(http::RequestContext& c) const {
    if (!c.identity->is_admin()) throw ApiError(403, 303, "only admins use /token/set");
    const auto token = named(c, "set");
    db::TokenSettings settings;
    int count = 0;
    const auto given = [&](const char* key) { return !string_param(c, key, 64).empty(); };
    if (c.params.contains("description")) {
      settings.description = string_param(c, "description", 255);
      ++count;
    }
    const auto number = [&](const char* key, int min, int max, std::optional<int>& field) {
      if (!given(key)) return;
      field = int_param(c, key, 0, min, max);
      ++count;
    };
    number("otplen", 4, 10, settings.otplen);
    number("count_window", 1, 1000, settings.count_window);
    number("sync_window", 1, 100000, settings.sync_window);
    number("max_failcount", 1, 1000000, settings.maxfail);
    const auto limit = [&](const char* key, std::optional<long long>& field) {
      if (!c.params.contains(key)) return;
      field = long_param(c, key, 0, 1LL << 40).value_or(0);  // 0 or empty: no limit
      ++count;
    };
    limit("count_auth_max", settings.count_auth_max);
    limit("count_auth_success_max", settings.count_auth_success_max);
    const auto period = [&](const char* key, std::optional<long long>& field) {
      if (!c.params.contains(key)) return;
      const auto text = string_param(c, key, 64);
      if (text.empty()) {
        field = 0;
        settings.info[key] = std::nullopt;
      } else {
        field = util::parse_validity_time(text);
        if (!field)
          throw ApiError::bad_parameter(std::string(key) +
                                        " is a time like 2026-12-31T23:59+0100 (eduMFA's form)");
        settings.info[key] = text;
      }
      ++count;
    };
    period("validity_period_start", settings.valid_from);
    period("validity_period_end", settings.valid_until);
    if (given("hashlib")) {
      const auto hashlib = string_param(c, "hashlib", 16);
      if (hashlib != "sha1" && hashlib != "sha256" && hashlib != "sha512")
        throw ApiError::bad_parameter("hashlib is sha1, sha256 or sha512");
      settings.info["hashlib"] = hashlib;
      ++count;
    }
    // TOTP's settings, kept in the token's info under eduMFA's names.
    for (const auto& [param, info_key, min, max] :
         std::vector<std::tuple<const char*, const char*, int, int>>{
             {"timestep", "timeStep", 1, 3600},
             {"timewindow", "timeWindow", 0, 86400},
             {"timeshift", "timeShift", -86400, 86400}}) {
      if (!given(param)) continue;
      if (token.type != "totp")
        throw ApiError::bad_parameter(std::string(param) + " is a setting of TOTP tokens");
      settings.info[info_key] = std::to_string(int_param(c, param, 0, min, max));
      ++count;
    }
    for (const char* key : {"phone", "email"})
      if (c.params.contains(key)) {
        const auto value = string_param(c, key, 255);
        settings.info[key] = value.empty() ? std::nullopt : std::optional<std::string>(value);
        ++count;
      }
    if (settings.valid_from && settings.valid_until && *settings.valid_from &&
        *settings.valid_until && *settings.valid_until < *settings.valid_from)
      throw ApiError::bad_parameter("validity_period_end is before validity_period_start");
    if (count == 0)
      throw ApiError::bad_parameter(
          "nothing to set: give description, otplen, count_window, sync_window, max_failcount, "
          "hashlib, timestep, timewindow, timeshift, count_auth_max, count_auth_success_max, "
          "validity_period_start, validity_period_end, phone or email");
    if (!x_.tokens.apply_settings(token.serial, settings))
      throw ApiError::bad_parameter("token " + token.serial + " is revoked");
    c.audit.info = std::to_string(count) + " settings";
    return json_result(count);
  }

  http::HttpResponse description(http::RequestContext& c) const {
    const auto token = named(c, "setdescription");
    if (!c.params.contains("description"))
      throw ApiError::bad_parameter("missing parameter 'description'");
    if (!x_.tokens.set_description(token.serial, string_param(c, "description", 255)))
      throw ApiError::bad_parameter("token " + token.serial + " is revoked");
    return json_result(1);
  }

  // POST /token/info/<serial>/<key> (value) and /token/info/<serial> (info: {key: value or
  // null to remove}); DELETE /token/info/<serial>/<key>.
  http::HttpResponse info(http::RequestContext& c, bool remove) const {
    if (!c.identity->is_admin()) throw ApiError(403, 303, "only admins set token info");
    const auto token = named(c, "settokeninfo");
    db::TokenSettings settings;
    if (auto key = c.path_params.find("key"); key != c.path_params.end()) {
      const auto value = remove ? std::string() : required_param(c, "value", 1024);
      check_info_entry(key->second, value);
      settings.info[key->second] = remove ? std::nullopt : std::optional<std::string>(value);
    } else {
      const auto* entries = c.params.if_contains("info");
      boost::json::value parsed;
      if (entries && entries->is_string()) {
        boost::system::error_code ec;
        parsed = boost::json::parse(entries->get_string(), ec);
        if (ec) throw ApiError::bad_parameter("info is a JSON object of key: value");
        entries = &parsed;
      }
      if (!entries || !entries->is_object() || entries->get_object().empty())
        throw ApiError::bad_parameter("info is a JSON object of key: value (null removes a key)");
      if (entries->get_object().size() > 64)
        throw ApiError::bad_parameter("info sets at most 64 entries at once");
      for (const auto& [key, value] : entries->get_object()) {
        if (!value.is_null() && !value.is_string())
          throw ApiError::bad_parameter("info '" + std::string(key) + "' is not text or null");
        const std::string text = value.is_string() ? std::string(value.get_string()) : "";
        check_info_entry(std::string(key), text);
        settings.info[std::string(key)] =
            value.is_null() ? std::nullopt : std::optional<std::string>(text);
      }
    }
    // The caps a plugin's info has: 64 entries, 64 KiB.
    boost::json::object merged = boost::json::parse(token.info).as_object();
    for (const auto& [key, value] : settings.info)
      if (value)
        merged[key] = *value;
      else
        merged.erase(key);
    if (merged.size() > 64 || boost::json::serialize(merged).size() > 64 * 1024)
      throw ApiError::bad_parameter("a token's info holds at most 64 entries and 64 KiB");
    if (!x_.tokens.apply_settings(token.serial, settings))
      throw ApiError::bad_parameter("token " + token.serial + " is revoked");
    return json_result(true);
  }

  // The PIN (copypin) or the owner (copyuser) of token 'from' passes to token 'to'.
  http::HttpResponse copy(http::RequestContext& c, bool owner) const {
    if (!c.identity->is_admin()) throw ApiError(403, 303, "only admins copy PINs and owners");
    const auto action = owner ? "copytokenuser" : "copytokenpin";
    const auto from = token_named(c, required_param(c, "from", 64), action);
    const auto to = token_named(c, required_param(c, "to", 64), action);
    c.audit.info = "from " + from.serial + " to " + to.serial;
    if (to.revoked) throw ApiError::bad_parameter("token " + to.serial + " is revoked");
    if (!owner) {
      x_.tokens.set_pin_hash(to.serial, from.pin_hash);
      return json_result(true);
    }
    if (!from.has_owner()) throw ApiError::bad_parameter("token " + from.serial + " has no owner");
    if (to.has_owner() &&
        (to.owner_user != from.owner_user || to.owner_resolver != from.owner_resolver))
      throw ApiError::bad_parameter("token " + to.serial + " belongs to " + to.owner_user +
                                    ": unassign it first");
    // Giving a user a token is enrolling on her behalf, in her realm.
    x_.access.require_admin(c, "enrollonbehalf", from.owner_realm);
    if (!to.has_owner() && !x_.tokens.assign(to.serial, from.owner_user, from.owner_resolver,
                                             from.owner_realm, to.pin_hash))
      throw ApiError::bad_parameter("token " + to.serial + " cannot be assigned");
    return json_result(true);
  }

  // A random PIN of the enrollment policy's otp_pin_set_random length (default 12), shown once
  // in detail.pin.
  http::HttpResponse random_pin(http::RequestContext& c) const {
    const auto token = named(c, "setrandompin");
    const auto engine = x_.access.engine();
    int length = 12;
    if (auto value = engine->value(policy::Scope::enrollment, "otp_pin_set_random",
                                   {"", token.owner_user, token.owner_realm, token.owner_resolver,
                                    c.request.remote_address}))
      try {
        length = std::clamp(std::stoi(*value), 4, 128);
      } catch (const std::exception&) {
      }
    const auto pin = crypto::random_password(static_cast<size_t>(length));
    if (!x_.tokens.set_pin_hash(token.serial, x_.pins.hash(pin)))
      throw ApiError::bad_parameter("token " + token.serial + " is revoked");
    return json_result(1, {{"pin", pin}});
  }

  // Which token makes this value? An admin's look-up among the tokens the filters leave (type,
  // serial substring, assigned/unassigned), without using or counting the value.
  http::HttpResponse serial_by_otp(http::RequestContext& c) const {
    if (!c.identity->is_admin()) throw ApiError(403, 303, "only admins look up serials");
    x_.access.require_admin(c, "getserial");
    const auto& otp = c.path_params.at("otp");
    if (otp.size() > 16) throw ApiError::bad_parameter("an OTP value has at most 16 digits");
    db::TokenFilter filter;
    filter.type = string_param(c, "type", 32);
    const auto part = string_param(c, "serial", 64);
    filter.serial_pattern = "*" + part + "*";
    if (bool_param(c, "unassigned", false)) filter.assigned = 0;
    if (bool_param(c, "assigned", false)) filter.assigned = 1;
    const int window = int_param(c, "window", 10, 1, 1000);
    constexpr int kMost = 1000;
    const auto candidates = x_.tokens.list(filter, 1, kMost);
    boost::json::value serial = nullptr;
    if (!bool_param(c, "count", false)) {
      if (candidates.count > kMost)
        throw ApiError::bad_parameter(std::to_string(candidates.count) +
                                      " tokens match: narrow the search (type, serial, "
                                      "assigned) to at most 1000");
      for (const auto& token : candidates.tokens)
        if (x_.checker.generates(token, otp, window)) {
          serial = boost::json::string(token.serial);
          break;
        }
    }
    c.audit.info = "getserial among " + std::to_string(candidates.count) + " tokens";
    return json_result(boost::json::object{{"serial", serial}, {"count", candidates.count}});
  }

  http::HttpResponse challenges(http::RequestContext& c) const {
    if (!c.identity->is_admin()) throw ApiError(403, 303, "only admins list challenges");
    const auto serial = serial_of(c);
    if (!serial.empty())
      token_named(c, serial, "getchallenges");
    else
      x_.access.require_admin(c, "getchallenges");
    const int page = int_param(c, "page", 1, 1, 1000000);
    const int page_size = int_param(c, "pagesize", 15, 1, 1000);
    long long count = 0;
    boost::json::array found;
    for (const auto& ch : x_.tokens.challenges(serial, string_param(c, "transaction_id", 32),
                                               util::unix_seconds(), page, page_size, count))
      found.push_back({{"transaction_id", ch.transaction_id},
                       {"serial", ch.serial},
                       {"expiration", ch.expires_at}});
    return json_result(page_value("challenges", std::move(found), count, page, page_size));
  }

  // eduMFA's lost token: the token is disabled and a password token "lost<serial>" takes its
  // place for its owner, with its PIN, a random password (enrollment policy lostTokenPWLen,
  // default 10) and a validity of lostTokenValid days (default 10).
  http::HttpResponse lost(http::RequestContext& c) const {
    const auto token = named(c, "losttoken");
    if (!token.has_owner())
      throw ApiError::bad_parameter("token " + token.serial + " has no owner");
    if (token.revoked) throw ApiError::bad_parameter("token " + token.serial + " is revoked");
    const auto engine = x_.access.engine();
    const policy::Subject subject{"", token.owner_user, token.owner_realm, token.owner_resolver,
                                  c.request.remote_address};
    const auto number = [&](const char* action, int fallback, int min, int max) {
      try {
        const auto value = engine->value(policy::Scope::enrollment, action, subject);
        return value ? std::clamp(std::stoi(*value), min, max) : fallback;
      } catch (const std::exception&) {
        return fallback;
      }
    };
    const int length = number("lostTokenPWLen", 10, 8, 12);
    const int days = number("lostTokenValid", 10, 1, 365);
    const auto password = crypto::random_password(static_cast<size_t>(length));
    const long long until = util::unix_seconds() + days * 86400LL;
    tokens::EnrollmentRequest request;
    request.type = "pw";
    request.serial = "lost" + token.serial;
    request.description = "temporary token for lost " + token.serial;
    request.owner_user = token.owner_user;
    request.owner_resolver = token.owner_resolver;
    request.owner_realm = token.owner_realm;
    request.maxfail = token.maxfail;
    request.label = request.serial;
    request.issuer = "Tessera";
    request.note = {c.identity->is_admin() ? c.identity->username
                                           : c.identity->username + "@" + c.identity->realm,
                    "lost token " + token.serial};
    request.params = {{"otpkey", password}};
    const std::time_t end = static_cast<std::time_t>(until);
    std::tm tm{};
    gmtime_r(&end, &tm);
    char end_text[32];
    std::strftime(end_text, sizeof end_text, "%Y-%m-%dT%H:%M+0000", &tm);
    request.complete = [&](const boost::json::object&, db::TokenRow& row, boost::json::object&) {
      row.pin_hash = token.pin_hash;  // the lost token's PIN goes with its owner
      row.valid_until = until;
      auto info = boost::json::parse(row.info).as_object();
      info["validity_period_end"] = end_text;
      row.info = boost::json::serialize(info);
    };
    try {
      x_.enrollment.enroll(request);
    } catch (const tokens::EnrollmentError& e) {
      throw ApiError::bad_parameter(std::string("no temporary token: ") + e.what());
    } catch (const plugins::PluginCallError& e) {
      throw ApiError::bad_parameter(std::string("no temporary token: ") + e.what());
    }
    x_.tokens.set_active(token.serial, false);
    c.audit.info = "lost; temporary token " + request.serial;
    return json_result(boost::json::object{{"serial", request.serial},
                                           {"init", true},
                                           {"user", token.owner_user},
                                           {"password", password},
                                           {"end_date", end_text},
                                           {"disable", 1},
                                           {"pin", !token.pin_hash.empty()}});
  }

 private:
  db::TokenRow token_named(http::RequestContext& c, const std::string& serial,
                           const std::string& action) const {
    auto token = x_.tokens.find(serial);
    if (!token) throw ApiError::not_found("no token " + serial);
    authorize_token(x_.access, c, *token, action);
    return *token;
  }

  db::TokenRow named(http::RequestContext& c, const std::string& action) const {
    const auto serial = serial_of(c);
    if (serial.empty()) throw ApiError::bad_parameter("missing parameter 'serial'");
    return token_named(c, serial, action);
  }

  TokenApiContext x_;
};

}  // namespace

void add_token_settings_routes(http::Router& router, const TokenApiContext& context) {
  auto routes = std::make_shared<TokenSettingsRoutes>(context);
  const auto authenticated = http::Access::authenticated;
  for (const auto& path : {"/token/set", "/token/set/<serial>"})
    router.add(
        "POST", path, [routes](http::RequestContext& c) { return routes->set(c); }, authenticated);
  for (const auto& path : {"/token/description", "/token/description/<serial>"})
    router.add(
        "POST", path, [routes](http::RequestContext& c) { return routes->description(c); },
        authenticated);
  for (const auto& path : {"/token/info/<serial>/<key>", "/token/info/<serial>"})
    router.add(
        "POST", path, [routes](http::RequestContext& c) { return routes->info(c, false); },
        authenticated);
  router.add(
      "DELETE", "/token/info/<serial>/<key>",
      [routes](http::RequestContext& c) { return routes->info(c, true); }, authenticated);
  router.add(
      "POST", "/token/copypin",
      [routes](http::RequestContext& c) { return routes->copy(c, false); }, authenticated);
  router.add(
      "POST", "/token/copyuser",
      [routes](http::RequestContext& c) { return routes->copy(c, true); }, authenticated);
  for (const auto& path : {"/token/setrandompin", "/token/setrandompin/<serial>"})
    router.add(
        "POST", path, [routes](http::RequestContext& c) { return routes->random_pin(c); },
        authenticated);
  router.add(
      "GET", "/token/getserial/<otp>",
      [routes](http::RequestContext& c) { return routes->serial_by_otp(c); }, authenticated);
  for (const auto& path : {"/token/challenges/", "/token/challenges/<serial>"})
    router.add(
        "GET", path, [routes](http::RequestContext& c) { return routes->challenges(c); },
        authenticated);
  // eduMFA's /ttype/<type> gives token types an endpoint of their own without a login (TiQR,
  // push); no Tessera token type has one, and plugins get no unauthenticated routes.
  for (const char* method : {"GET", "POST"})
    router.add(method, "/ttype/<type>", [](http::RequestContext& c) -> http::HttpResponse {
      throw ApiError::bad_parameter("token type '" + c.path_params.at("type") +
                                    "' has no endpoint of its own: Tessera's token types are "
                                    "enrolled at /token/init and checked at /validate/check");
    });
  router.add(
      "POST", "/token/lost/<serial>", [routes](http::RequestContext& c) { return routes->lost(c); },
      authenticated);
  // eduMFA's token realms let an unassigned token belong to realms; a Tessera token is in its
  // owner's realm only, and admins' rights follow that realm.
  router.add(
      "POST", "/token/realm/<serial>",
      [](http::RequestContext&) -> http::HttpResponse {
        throw ApiError::bad_parameter(
            "a Tessera token belongs to its owner's realm only: assign it to a user of the realm "
            "(POST /token/assign) instead of adding token realms");
      },
      authenticated);
}

}  // namespace tessera::api
