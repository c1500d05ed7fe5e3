// Token enrollment and management. Admins act on the tokens their policies allow for the
// owner's realm; a user acts only on their own tokens, as user policies allow. A token that is
// not the caller's is reported as missing, so its serial reveals nothing.
#include <algorithm>
#include <cctype>
#include <sstream>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/api/plugin_failure.hpp"
#include "server/api/token_access.hpp"
#include "server/api/token_api.hpp"

#include "server/ca/certificate_profile.hpp"
#include "server/ca/open_profiles.hpp"
#include "server/crypto/encoding.hpp"
#include "server/crypto/pkcs12.hpp"
#include "server/crypto/random.hpp"
#include "server/plugins/component_instance.hpp"
#include "server/util/comma_list.hpp"

namespace tessera::api {
namespace {

constexpr int kDefaultMaxFail = 10;

std::string upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

policy::Subject subject_of(const http::RequestContext& c, const std::string& user,
                           const std::string& realm, const std::string& resolver) {
  return {c.identity && c.identity->is_admin() ? c.identity->username : "", user, realm, resolver,
          c.request.remote_address};
}

boost::json::object token_json(const db::TokenRow& t) {
  boost::system::error_code ec;
  auto info = boost::json::parse(t.info, ec);
  // eduMFA shows its counters among the info entries, as text.
  if (!ec && info.is_object())
    for (const auto& [key, value] : {std::pair<const char*, long long>{"count_auth", t.count_auth},
                                     {"count_auth_max", t.count_auth_max},
                                     {"count_auth_success", t.count_auth_success},
                                     {"count_auth_success_max", t.count_auth_success_max}})
      if (value) info.as_object()[key] = std::to_string(value);
  return {
      {"serial", t.serial},
      {"tokentype", t.type},
      {"description", t.description},
      {"info", ec ? boost::json::value(boost::json::object()) : info},
      {"otplen", t.otplen},
      {"maxfail", t.maxfail},
      {"failcount", t.failcount},
      {"failcounter_exceeded", t.fail_limit_reached()},
      {"count", t.counter},
      {"count_window", t.count_window},
      {"sync_window", t.sync_window},
      {"active", t.active},
      {"revoked", t.revoked},
      {"locked", t.locked},
      {"rollout_state", t.rollout_state},
      {"realms", t.owner_realm.empty() ? boost::json::array() : boost::json::array{t.owner_realm}},
      {"resolver", t.owner_resolver},
      {"user_id", t.owner_user},
      {"username", t.owner_user},
      {"user_realm", t.owner_realm}};
}

[[noreturn]] void rethrow_plugin_error(const plugins::PluginCallError& e) {
  throw_plugin_failure(e, "the token type");
}

// Enrollment policies on a PIN: otp_pin_minlength, otp_pin_maxlength, otp_pin_contents
// (letters of "cns": at least one letter, digit, other character).
void check_pin_rules(const policy::PolicyEngine& engine, const policy::Subject& subject,
                     const std::string& pin) {
  auto number = [&](const char* action) -> int {
    auto value = engine.value(policy::Scope::enrollment, action, subject);
    if (!value || value->empty()) return -1;
    try {
      return std::stoi(*value);
    } catch (const std::exception&) {
      return -1;
    }
  };
  if (int min = number("otp_pin_minlength"); min >= 0 && static_cast<int>(pin.size()) < min)
    throw ApiError::bad_parameter("the PIN needs at least " + std::to_string(min) + " characters");
  if (int max = number("otp_pin_maxlength"); max >= 0 && static_cast<int>(pin.size()) > max)
    throw ApiError::bad_parameter("the PIN may have at most " + std::to_string(max) +
                                  " characters");
  if (auto contents = engine.value(policy::Scope::enrollment, "otp_pin_contents", subject)) {
    auto has = [&](auto predicate) { return std::any_of(pin.begin(), pin.end(), predicate); };
    const auto letter = [](unsigned char ch) { return std::isalpha(ch) != 0; };
    const auto digit = [](unsigned char ch) { return std::isdigit(ch) != 0; };
    const auto other = [](unsigned char ch) { return !std::isalnum(ch); };
    if (contents->find('c') != std::string::npos && !has(letter))
      throw ApiError::bad_parameter("the PIN must contain a letter");
    if (contents->find('n') != std::string::npos && !has(digit))
      throw ApiError::bad_parameter("the PIN must contain a digit");
    if (contents->find('s') != std::string::npos && !has(other))
      throw ApiError::bad_parameter(
          "the PIN must contain a character that is not a letter or digit");
  }
}

// Who made a change, for the record of rollout transitions: an admin's name, or user@realm.
std::string actor_of(const http::RequestContext& c) {
  if (!c.identity) return "system";
  return c.identity->is_admin() ? c.identity->username
                                : c.identity->username + "@" + c.identity->realm;
}

// {user} {realm} {serial} {givenname} {surname} in a label template.
std::string fill_label(std::string text, const std::map<std::string, std::string>& tags) {
  for (const auto& [tag, value] : tags)
    for (size_t at = text.find(tag); at != std::string::npos;
         at = text.find(tag, at + value.size()))
      text.replace(at, tag.size(), value);
  return text;
}

class TokenRoutes {
 public:
  explicit TokenRoutes(const TokenApiContext& x) : x_(x) {}

  http::HttpResponse init(http::RequestContext& c) const {
    // eduMFA's second step of verify_enrollment: serial + verify=<first OTP>.
    if (c.params.contains("verify")) return verify_enrollment(c);
    // A smart card's second and third steps: its CSR with the enrollment code, then its
    // signature over the challenge.
    if (c.params.contains("enrollment_code") || c.params.contains("card_signature"))
      return smartcard_step(c);
    const auto type = c.params.contains("type") ? string_param(c, "type", 32) : "hotp";
    // eduMFA's admin client sends genkey=1 with every certificate request; as in eduMFA, a
    // CSR in 'request' wins and no key is made.
    if (type == "certificate" && !string_param(c, "request", 64 * 1024).empty())
      c.params.erase("genkey");
    const auto right = "enroll" + upper(type);
    tokens::EnrollmentRequest request;
    request.type = type;
    request.serial = string_param(c, "serial", 64);
    request.description = string_param(c, "description", 255);
    request.pin = string_param(c, "pin", 128);
    std::optional<identity::LocatedUser> owner;
    if (c.identity->is_admin()) {
      const auto username = string_param(c, "user", 255);
      const auto realm = string_param(c, "realm", 64);
      if (!username.empty()) {
        owner = x_.directory.find(username, realm);
        if (!owner)
          throw ApiError::not_found("no user '" + username + "' in realm '" + realm + "'");
      }
      x_.access.require_admin(c, right, owner ? owner->realm : "");
      // A token made for someone else needs the right to do so, in the owner's realm; the
      // audit row names the admin and the user, refused or not.
      if (owner) {
        c.audit.user = owner->user.username;
        c.audit.realm = owner->realm;
        c.audit.token_type = type;
        x_.access.require_admin(c, "enrollonbehalf", owner->realm);
      }
    } else {
      owner = x_.directory.find_in(c.identity->resolver, c.identity->username, c.identity->realm);
      if (!owner) throw ApiError(403, 303, "your account no longer exists");
      if (const auto user = string_param(c, "user", 255);
          !user.empty() && user != owner->user.username)
        throw ApiError(403, 303, "a user enrolls tokens only for themselves");
      if (!x_.access.user_may(c, right))
        throw ApiError(403, 303, "user policies do not allow '" + right + "'");
    }
    const auto engine_now = x_.access.engine();
    const auto& engine = *engine_now;
    const auto subject =
        owner ? subject_of(c, owner->user.username, owner->realm, owner->user.resolver)
              : subject_of(c, "", "", "");
    if (!request.pin.empty()) check_pin_rules(engine, subject, request.pin);
    if (owner) {
      request.owner_user = owner->user.username;
      request.owner_resolver = owner->user.resolver;
      request.owner_realm = owner->realm;
      if (auto max = engine.value(policy::Scope::enrollment, "max_token_per_user", subject)) {
        const long long limit = std::atoll(max->c_str());
        // Refused early, before a plugin or CA does any work; counted again as the token is
        // stored, where parallel enrollments cannot both pass.
        if (x_.tokens.count_owned(owner->user.resolver, owner->user.username) >= limit)
          throw ApiError::bad_parameter("the user has the maximum of " + *max + " tokens");
        request.max_owned = limit;
      }
    }
    request.maxfail = kDefaultMaxFail;
    if (auto max = engine.value(policy::Scope::authentication, "max_fail", subject))
      request.maxfail = std::max(1, std::atoi(max->c_str()));
    request.params = c.params;
    // A user proves to hold the key of an existing certificate by presenting it on this TLS
    // connection; a pasted certificate proves nothing (anyone may have a copy).
    if (type == "certificate" && !c.identity->is_admin() && c.params.contains("certificate"))
      throw ApiError::bad_parameter(
          "enroll your existing certificate by presenting it (client_certificate=1); only "
          "admins upload certificates");
    if (type == "certificate" && bool_param(c, "client_certificate", false)) {
      if (c.request.client_certificate_pem.empty())
        throw ApiError::bad_parameter(
            "client_certificate=1, but no client certificate was presented on this connection");
      request.params["certificate"] = c.request.client_certificate_pem;
      request.params.erase("client_certificate");
    }
    request.params.erase("pin");
    request.params.erase("password");  // the PKCS#12 password is the server's business
    // A device's names (for profiles with san_ip / san_permanent_identifier) are an admin's
    // word: a user could name any device's address.
    std::string device_ip, device_serial;
    // The request's subject and names are the server's to give (below), never the caller's.
    if (type == "certificate")
      for (const char* key : {"subject", "san_email", "san_upn", "san_dns", "san_ip",
                              "san_permanent_identifier", "ca_template"})
        request.params.erase(key);
    if (type == "certificate" && (c.params.contains("ip") || c.params.contains("device_serial"))) {
      if (!c.identity->is_admin())
        throw ApiError::bad_parameter(
            "only an admin names a device's IP address or serial number (ip, device_serial)");
      try {
        if (c.params.contains("ip")) device_ip = ca::checked_ip_address(string_param(c, "ip", 64));
        if (c.params.contains("device_serial"))
          device_serial = ca::checked_device_serial(string_param(c, "device_serial", 128));
      } catch (const ca::ProfileError& e) {
        throw ApiError::bad_parameter(e.what());
      }
      request.params.erase("ip");
      request.params.erase("device_serial");
    }
    // A user requests only from the CAs and profiles open to her (policy certificate_profiles).
    if (type == "certificate" && !c.identity->is_admin() &&
        (c.params.contains("request") || bool_param(c, "genkey", false))) {
      try {
        require_open_profile(engine, subject, string_param(c, "ca", 128),
                             string_param(c, "profile", 64));
      } catch (const ca::IssueError& e) {
        throw ApiError::bad_parameter(e.what());
      }
    }
    // A server-made key is of the profile's first allowed type unless the user picked one.
    if (type == "certificate" && bool_param(c, "genkey", false)) {
      try {
        const auto ca = string_param(c, "ca", 128), profile = string_param(c, "profile", 64);
        if (!c.params.contains("key_type"))
          request.params["key_type"] = x_.issuer.default_key_type(ca, profile);
        // The subject and names the CA will be asked for go into the request the server makes
        // (CAs that take them from the request: ACME, AD CS).
        if (owner) {
          const auto names = x_.issuer.request_names_for(ca, profile, owner->user, owner->realm);
          const auto strings = [](const std::vector<std::string>& items) {
            return boost::json::array(items.begin(), items.end());
          };
          boost::json::array subject;
          for (const auto& [field, value] : names.subject) subject.push_back({field, value});
          request.params["subject"] = std::move(subject);
          request.params["san_email"] = strings(names.emails);
          request.params["san_upn"] = strings(names.upns);
          request.params["san_dns"] = strings(names.dns_names);
          if (!names.ca_template.empty()) request.params["ca_template"] = names.ca_template;
        }
        if (!device_ip.empty()) request.params["san_ip"] = boost::json::array{device_ip.c_str()};
        if (!device_serial.empty())
          request.params["san_permanent_identifier"] = boost::json::array{device_serial.c_str()};
      } catch (const ca::IssueError& e) {
        throw ApiError::bad_parameter(e.what());
      }
    }
    const auto label_template =
        engine.value(policy::Scope::enrollment, "tokenlabel", subject).value_or("{user}@{realm}");
    request.issuer =
        engine.value(policy::Scope::enrollment, "tokenissuer", subject).value_or("Tessera");
    request.label =
        fill_label(label_template, {{"{user}", request.owner_user},
                                    {"{realm}", request.owner_realm},
                                    {"{givenname}", owner ? owner->user.given_name : ""},
                                    {"{surname}", owner ? owner->user.surname : ""},
                                    {"{serial}", request.serial}});
    if (!owner || request.label == "@")
      request.label = request.serial.empty() ? type : request.serial;
    request.note = {actor_of(c), ""};
    // Policy verify_enrollment (token types): the token counts only once the user has shown
    // its first value, so an app that was set up wrong is noticed at once. A client may ask for
    // that itself (verify_enrollment=1, as the WebUI does); it cannot opt out of the policy.
    bool verify_first = bool_param(c, "verify_enrollment", false);
    if (auto types = engine.value(policy::Scope::enrollment, "verify_enrollment", subject)) {
      // "hotp totp" or "hotp,totp"
      std::istringstream names(upper(*types));
      for (std::string name; names >> name;)
        for (const auto& item : util::split_comma_list(name))
          verify_first = verify_first || item == upper(type);
    }
    request.complete = [&](const boost::json::object& made, db::TokenRow& row,
                           boost::json::object& detail) {
      if (verify_first && made.contains("secret")) {
        row.rollout_state = "verify";
        detail["verify"] = {{"message", "Please enter a valid OTP value of the new token."}};
      }
      if (made.contains("card")) return begin_smartcard(c, engine, subject, owner, row, detail);
      if (!made.contains("csr") && !made.contains("certificate")) return;
      if (!owner) throw ApiError::bad_parameter("a certificate token needs a user (user, realm)");
      ca::CertificateEnrollment::Request certificate;
      certificate.ca = string_param(c, "ca", 128);
      certificate.profile = string_param(c, "profile", 64);
      certificate.validity_days =
          c.params.contains("validity_days") ? int_param(c, "validity_days", 0, 1, 3650) : 0;
      certificate.owner = owner->user;
      certificate.realm = owner->realm;
      certificate.attestation = string_param(c, "attestation", 64 * 1024);
      try {
        certificate.ip = device_ip;
        certificate.device_serial = device_serial;
        certificate.attestation_policy = ca::attestation_policy(
            engine.value(policy::Scope::enrollment, "certificate_require_attestation", subject)
                .value_or("ignore"));
        x_.certificates.complete(certificate, made, row, detail);
        // A key for a request the CA denied goes with the response that says so.
        if (const auto* key = made.if_contains("private_key");
            key && key->is_string() && row.rollout_state != "denied")
          wrap_in_pkcs12(c, std::string(key->get_string()), row, detail);
      } catch (const ca::IssueError& e) {
        throw ApiError::bad_parameter(e.what());
      } catch (const plugins::PluginCallError& e) {  // only for a server-made key
        throw ApiError(502, error_code::ca_failed,
                       std::string("the CA did not issue: ") + e.what());
      }
    };
    c.audit.token_type = type;
    c.audit.user = request.owner_user;
    c.audit.realm = request.owner_realm;
    try {
      auto result = x_.enrollment.enroll(request);
      c.audit.serial = result.token.serial;
      if (result.token.rollout_state == "denied") {
        const auto info = boost::json::parse(result.token.info).as_object();
        throw ApiError::bad_parameter(
            "CA '" + std::string(info.at("ca").as_string()) +
            "' denied the request: " + std::string(info.at("denial_reason").as_string()) +
            " (kept as token " + result.token.serial + ", 'denied')");
      }
      if (result.token.rollout_state == "failed")
        throw ApiError(
            502, error_code::ca_failed,
            "the CA did not issue: " +
                std::string(
                    boost::json::parse(result.token.info).as_object().at("failure").as_string()) +
                " (the request is kept as token " + result.token.serial +
                ", 'failed'; an admin can approve it to retry)");
      return json_result(true, result.detail);
    } catch (const tokens::EnrollmentError& e) {
      throw ApiError::bad_parameter(e.what());
    } catch (const plugins::PluginCallError& e) {
      rethrow_plugin_error(e);
    }
  }

  // The CA connector and profile a request names (or the only ones) must be open to the user
  // (policy certificate_profiles): else 403. Throws IssueError for ones that do not exist.
  void require_open_profile(const policy::PolicyEngine& engine, const policy::Subject& subject,
                            const std::string& ca_name, const std::string& profile_name) const {
    const auto [ca, profile] = x_.issuer.names_of(ca_name, profile_name);
    if (!ca::OpenProfiles(engine.value(policy::Scope::enrollment, "certificate_profiles", subject))
             .open(ca, profile))
      throw ApiError(403, 303,
                     "profile '" + profile + "' of CA '" + ca +
                         "' is not open to you (policy certificate_profiles)");
  }

  // Step 1 of a smart card (ca/smartcard_enrollment.hpp): the new token waits for its card.
  void begin_smartcard(http::RequestContext& c, const policy::PolicyEngine& engine,
                       const policy::Subject& subject,
                       const std::optional<identity::LocatedUser>& owner, db::TokenRow& row,
                       boost::json::object& detail) const {
    if (!owner) throw ApiError::bad_parameter("a smart card needs a user (user, realm)");
    ca::SmartcardEnrollment::Begin begin;
    begin.ca = string_param(c, "ca", 128);
    begin.profile = string_param(c, "profile", 64);
    begin.actor = actor_of(c);
    const auto number = [&](const char* action, int fallback) {
      const auto value = engine.value(policy::Scope::enrollment, action, subject);
      try {
        return value ? std::stoi(*value) : fallback;
      } catch (const std::exception&) {
        return fallback;
      }
    };
    begin.pins.min_length = number("smartcard_pin_min_length", 6);
    begin.pins.max_length = number("smartcard_pin_max_length", 8);
    begin.pins.contents =
        engine.value(policy::Scope::enrollment, "smartcard_pin_contents", subject).value_or("");
    try {
      begin.attestation_required =
          ca::attestation_policy(
              engine.value(policy::Scope::enrollment, "certificate_require_attestation", subject)
                  .value_or("ignore")) == ca::AttestationPolicy::require;
      // A replacement: the owner's own card, which is revoked once the new one confirms.
      if (const auto replaces = string_param(c, "replaces", 64); !replaces.empty()) {
        const auto old = x_.tokens.find(replaces);
        if (!old || old->type != "smartcard" || old->owner_user != owner->user.username ||
            old->owner_realm != owner->realm || old->revoked)
          throw ApiError::bad_parameter("replaces: " + replaces + " is no smart card of " +
                                        owner->user.username + "@" + owner->realm +
                                        " that is in use");
        begin.replaces = replaces;
      }
      // A user's card comes only from the CAs and profiles open to her, as a certificate does.
      if (!c.identity->is_admin()) require_open_profile(engine, subject, begin.ca, begin.profile);
      x_.smartcards.begin(begin, row, detail);
    } catch (const ca::IssueError& e) {
      throw ApiError::bad_parameter(e.what());
    }
  }

  // Steps 2 (serial, enrollment_code, request: the CSR the card signed, attestation) and 3
  // (serial, card_signature) of a smart card, by whoever began it.
  http::HttpResponse smartcard_step(http::RequestContext& c) const {
    const auto serial = required_param(c, "serial", 64);
    auto token = x_.tokens.find(serial);
    if (!token) throw ApiError::not_found("no token " + serial);
    authorize(c, *token, "enroll" + upper(token->type));
    try {
      if (c.params.contains("card_signature"))
        return json_result(true, x_.smartcards.confirm(*token, actor_of(c),
                                                       string_param(c, "card_signature", 2048)));
      auto owner =
          x_.directory.find_in(token->owner_resolver, token->owner_user, token->owner_realm);
      if (!owner) throw ApiError::bad_parameter("the owner of token " + serial + " is gone");
      ca::CertificateEnrollment::Request request;
      request.owner = owner->user;
      request.realm = owner->realm;
      request.attestation = string_param(c, "attestation", 64 * 1024);
      const auto engine = x_.access.engine();
      request.attestation_policy = ca::attestation_policy(
          engine
              ->value(policy::Scope::enrollment, "certificate_require_attestation",
                      subject_of(c, owner->user.username, owner->realm, owner->user.resolver))
              .value_or("ignore"));
      return json_result(
          true, x_.smartcards.submit(*token, actor_of(c), string_param(c, "enrollment_code", 128),
                                     request, required_param(c, "request", 64 * 1024)));
    } catch (const ca::SmartcardError& e) {
      throw ApiError(e.http_status(), e.http_status() == 403 ? 303 : error_code::parameter,
                     e.what());
    } catch (const ca::IssueError& e) {
      throw ApiError::bad_parameter(e.what());
    }
  }

  // The first OTP of a token in "verify": on a match it is enrolled.
  http::HttpResponse verify_enrollment(http::RequestContext& c) const {
    const auto serial = required_param(c, "serial", 64);
    auto token = x_.tokens.find(serial);
    if (!token) throw ApiError::not_found("no token " + serial);
    authorize(c, *token, "enroll" + upper(token->type));
    if (token->rollout_state != "verify")
      throw ApiError::bad_parameter("token " + serial +
                                    " does not wait for its first value (it is '" +
                                    token->rollout_state + "')");
    try {
      if (!x_.checker.verify_enrollment(*token, required_param(c, "verify", 16), actor_of(c)))
        throw ApiError::bad_parameter("that is not the token's current value: try the next one");
    } catch (const plugins::PluginCallError& e) {
      rethrow_plugin_error(e);
    } catch (const tokens::CheckUnavailable& e) {
      throw ApiError(503, error_code::internal, e.what());
    }
    return json_result(true,
                       boost::json::object{{"serial", serial}, {"rollout_state", "enrolled"}});
  }

  http::HttpResponse list(http::RequestContext& c) const {
    db::TokenFilter filter;
    filter.serial_pattern = string_param(c, "serial", 64);
    filter.type = string_param(c, "type", 32);
    // "pending,review": the approvals queue.
    filter.rollout_states = util::split_comma_list(string_param(c, "rollout_state", 64));
    if (filter.rollout_states.size() > 3)
      throw ApiError::bad_parameter("rollout_state takes at most 3 states, comma-separated");
    if (c.params.contains("active")) filter.active = bool_param(c, "active", true) ? 1 : 0;
    if (c.params.contains("assigned")) filter.assigned = bool_param(c, "assigned", true) ? 1 : 0;
    const int page = int_param(c, "page", 1, 1, 1000000);
    const int page_size = int_param(c, "pagesize", 15, 1, 1000);
    if (c.identity->is_admin()) {
      filter.realm = c.params.contains("tokenrealm") ? string_param(c, "tokenrealm", 64)
                                                     : string_param(c, "realm", 64);
      x_.access.require_admin(c, "tokenlist", filter.realm);
      if (const auto user = string_param(c, "user", 255); !user.empty() && filter.realm.empty()) {
        // No realm named: the tokens of everyone of that name, in every realm (each listed
        // with its realm), for an admin whose rights are not limited to realms.
        filter.owner_user = user;
      } else if (!user.empty()) {
        auto owner = x_.directory.find(user, filter.realm);
        if (!owner) return json_result(page_json({}, page, page_size));
        filter.owner_user = owner->user.username;
        filter.owner_resolver = owner->user.resolver;
        filter.realm = owner->realm;
      }
    } else {
      // A user's filters narrow down their own tokens only.
      filter.owner_user = c.identity->username;
      filter.owner_resolver = c.identity->resolver;
      filter.realm = c.identity->realm;
    }
    // after=<serial>: the page that follows that serial (keyset paging: as fast on the
    // thousandth page as on the first); a full page names its last serial as next_after.
    const auto after = string_param(c, "after", 255);
    auto result = page_json(x_.tokens.list(filter, page, page_size, after), page, page_size);
    if (const auto& tokens = result["tokens"].as_array();
        tokens.size() == static_cast<size_t>(page_size))
      result["next_after"] = tokens.back().as_object().at("serial");
    return json_result(std::move(result));
  }

  // enable, disable, revoke, reset: on the token named by serial, or on all of a user's.
  http::HttpResponse change(http::RequestContext& c, const std::string& action) const {
    const auto reason = c.params.contains("reason") ? string_param(c, "reason", 32) : "unspecified";
    if (!ca::known_revocation_reason(reason))
      throw ApiError::bad_parameter("reason '" + reason +
                                    "' is not one of RFC 5280's (keyCompromise, superseded, "
                                    "cessationOfOperation, affiliationChanged, ...)");
    int changed = 0;
    for (const auto& token : selected(c, action)) {
      bool done = false;
      if (action == "enable")
        done = x_.tokens.set_active(token.serial, true);
      else if (action == "disable")
        done = x_.tokens.set_active(token.serial, false);
      else if (action == "revoke") {
        done = x_.tokens.revoke(token.serial, {actor_of(c), reason});
        // A certificate is revoked at its CA too, and the CRL lists it from now on.
        if (done)
          if (auto note = x_.issuer.revoke(token, reason); !note.empty()) c.audit.info = note;
      } else if (action == "reset")
        done = x_.tokens.reset_failcount(token.serial);
      else if (action == "unassign")
        done = x_.tokens.unassign(token.serial);
      else if (action == "delete") {
        done = x_.tokens.remove(token.serial);
        if (done)
          if (auto note = x_.issuer.withdraw_pending(token); !note.empty()) c.audit.info = note;
        // The plugin may drop what it stored for the token (ABI 1.4's deleted).
        const auto* type = x_.types.find(token.type);
        if (done && type && type->has(plugins::Operation::deleted)) try {
            type->call(plugins::Operation::deleted, {{"serial", token.serial}});
          } catch (const plugins::PluginCallError& e) {
            spdlog::warn("token {}: its plugin could not drop its values: {}", token.serial,
                         e.what());
          }
      }
      changed += done ? 1 : 0;
    }
    return json_result(changed);
  }

  http::HttpResponse resync(http::RequestContext& c) const {
    const auto token = one(c, "resync");
    try {
      return json_result(
          x_.checker.resync(token, required_param(c, "otp1", 16), required_param(c, "otp2", 16)));
    } catch (const plugins::PluginCallError& e) {
      rethrow_plugin_error(e);
    }
  }

  http::HttpResponse setpin(http::RequestContext& c) const {
    const auto token = one(c, "setpin");
    const auto pin = string_param(c, "otppin", 128);
    check_pin_rules(*x_.access.engine(),
                    subject_of(c, token.owner_user, token.owner_realm, token.owner_resolver), pin);
    return json_result(x_.tokens.set_pin_hash(token.serial, x_.pins.hash(pin)) ? 1 : 0);
  }

  http::HttpResponse assign(http::RequestContext& c) const {
    if (!c.identity->is_admin()) throw ApiError(403, 303, "only admins assign tokens");
    const auto serial = required_param(c, "serial", 64);
    const auto username = required_param(c, "user", 255);
    const auto realm = string_param(c, "realm", 64);
    auto owner = x_.directory.find(username, realm);
    if (!owner) throw ApiError::not_found("no user '" + username + "' in realm '" + realm + "'");
    c.audit.user = username;
    c.audit.realm = owner->realm;
    x_.access.require_admin(c, "assign", owner->realm);
    // Assigning gives a user a token an admin holds: enrolling on their behalf.
    x_.access.require_admin(c, "enrollonbehalf", owner->realm);
    auto token = x_.tokens.find(serial);
    if (!token) throw ApiError::not_found("no token " + serial);
    c.audit.serial = serial;
    c.audit.token_type = token->type;
    c.audit.user = username;
    c.audit.realm = owner->realm;
    if (token->has_owner())
      throw ApiError::bad_parameter("token " + serial + " already belongs to " + token->owner_user +
                                    ": unassign it first");
    const auto pin = string_param(c, "pin", 128);
    const auto engine = x_.access.engine();
    const auto subject = subject_of(c, username, owner->realm, owner->user.resolver);
    if (!pin.empty()) check_pin_rules(*engine, subject, pin);
    // max_token_per_user counts every way a user gets a token.
    std::optional<long long> max_owned;
    if (auto max = engine->value(policy::Scope::enrollment, "max_token_per_user", subject))
      max_owned = std::atoll(max->c_str());
    try {
      if (!x_.tokens.assign(serial, owner->user.username, owner->user.resolver, owner->realm,
                            x_.pins.hash(pin), max_owned))
        throw ApiError::bad_parameter("token " + serial + " cannot be assigned (revoked or taken)");
    } catch (const db::TokenLimitReached& e) {
      throw ApiError::bad_parameter(e.what());
    }
    return json_result(true);
  }

  // An admin's decision on a certificate that waits (pending, review, failed): approve has it
  // issued or accepted now, deny ends it with a reason. Each only from the state the admin
  // saw, so two admins cannot both decide.
  http::HttpResponse decide(http::RequestContext& c, bool approve) const {
    const auto serial = serial_of(c);
    if (serial.empty()) throw ApiError::bad_parameter("missing parameter 'serial'");
    if (!c.identity->is_admin()) throw ApiError(403, 303, "only admins approve or deny");
    auto token = x_.tokens.find(serial);
    if (!token) throw ApiError::not_found("no token " + serial);
    authorize(c, *token, "certificateapprove");
    const db::TransitionNote note{actor_of(c), string_param(c, "reason", 255)};
    try {
      if (!approve) {
        x_.certificates.deny(*token, note);
        c.audit.info = "denied: " + note.reason;
        return json_result(true);
      }
      auto owner =
          x_.directory.find_in(token->owner_resolver, token->owner_user, token->owner_realm);
      if (!owner)
        throw ApiError::bad_parameter("the owner of token " + serial + " no longer exists");
      auto detail = x_.certificates.approve(*token, owner->user, owner->realm, note);
      c.audit.info = "approved";
      return json_result(true, detail);
    } catch (const ca::IssueError& e) {
      throw ApiError::bad_parameter(e.what());
    } catch (const ca::CaFailure& e) {
      c.audit.info = "failed";
      throw ApiError(502, error_code::ca_failed, e.what());
    }
  }

  // The token's rollout transitions, oldest first.
  http::HttpResponse history(http::RequestContext& c) const {
    const auto serial = serial_of(c);
    if (serial.empty()) throw ApiError::bad_parameter("missing parameter 'serial'");
    auto token = x_.tokens.find(serial);
    if (!token) throw ApiError::not_found("no token " + serial);
    authorize(c, *token, "tokenlist");
    boost::json::array transitions;
    for (const auto& t : x_.tokens.transitions(serial))
      transitions.push_back(boost::json::object{{"from", t.from},
                                                {"to", t.to},
                                                {"time", t.time_us / 1000000},
                                                {"actor", t.actor},
                                                {"reason", t.reason}});
    return json_result(boost::json::object{{"serial", serial}, {"transitions", transitions}});
  }

 private:
  // The server-made key, its certificate and the CA as a PKCS#12 for the one response, under
  // the user's password (8 characters or more) or a random one shown once. The key is not
  // kept: a certificate that waits for approval cannot have one.
  void wrap_in_pkcs12(const http::RequestContext& c, const std::string& key,
                      const db::TokenRow& row, boost::json::object& detail) const {
    if (row.rollout_state != "enrolled")
      throw ApiError::bad_parameter(
          "a server-made key needs a profile without approval: the key is never stored");
    auto password = string_param(c, "password", 256);
    if (!password.empty() && password.size() < 8)
      throw ApiError::bad_parameter("the PKCS#12 password needs at least 8 characters");
    if (password.empty()) {
      password = crypto::random_password(20);
      detail["pkcs12_password"] = password;
    }
    const auto info = boost::json::parse(row.info).as_object();
    const auto der = crypto::make_pkcs12(
        key, std::string(detail.at("certificate").as_string()),
        x_.issuer.ca_certificate_pem(std::string(info.at("ca").as_string())), password, row.serial);
    detail["pkcs12"] =
        crypto::base64_encode(reinterpret_cast<const uint8_t*>(der.data()), der.size());
  }

  static boost::json::object page_json(const db::TokenPage& result, int page, int page_size) {
    boost::json::array tokens;
    for (const auto& t : result.tokens) tokens.push_back(token_json(t));
    return page_value("tokens", std::move(tokens), result.count, page, page_size);
  }

  void authorize(http::RequestContext& c, const db::TokenRow& token,
                 const std::string& action) const {
    authorize_token(x_.access, c, token, action);
  }

  db::TokenRow one(http::RequestContext& c, const std::string& action) const {
    const auto serial = serial_of(c);
    if (serial.empty()) throw ApiError::bad_parameter("missing parameter 'serial'");
    auto token = x_.tokens.find(serial);
    if (!token) throw ApiError::not_found("no token " + serial);
    authorize(c, *token, action);
    if (token->revoked) throw ApiError::bad_parameter("token " + serial + " is revoked");
    return *token;
  }

  std::vector<db::TokenRow> selected(http::RequestContext& c, const std::string& action) const {
    const auto serial = serial_of(c);
    if (!serial.empty()) {
      auto token = x_.tokens.find(serial);
      if (!token) throw ApiError::not_found("no token " + serial);
      authorize(c, *token, action);
      return {*token};
    }
    std::vector<db::TokenRow> tokens;
    if (c.identity->is_admin()) {
      const auto username = string_param(c, "user", 255);
      if (username.empty()) throw ApiError::bad_parameter("give a serial or a user");
      const auto realm = string_param(c, "realm", 64);
      auto owner = x_.directory.find(username, realm);
      // The right first, so that an admin without it cannot probe which users exist.
      x_.access.require_admin(c, action, owner ? owner->realm : realm);
      if (!owner) throw ApiError::not_found("no user '" + username + "'");
      tokens = x_.tokens.owned_by(owner->user.resolver, owner->user.username);
    } else {
      tokens = x_.tokens.owned_by(c.identity->resolver, c.identity->username);
    }
    for (const auto& token : tokens) authorize(c, token, action);
    return tokens;
  }

  TokenApiContext x_;
};

}  // namespace

void add_token_routes(http::Router& router, const TokenApiContext& context) {
  auto routes = std::make_shared<TokenRoutes>(context);
  const auto authenticated = http::Access::authenticated;
  router.add(
      "POST", "/token/init", [routes](http::RequestContext& c) { return routes->init(c); },
      authenticated);
  router.add(
      "GET", "/token/", [routes](http::RequestContext& c) { return routes->list(c); },
      authenticated);
  for (std::string action : {"enable", "disable", "revoke", "reset", "unassign"})
    for (const auto& path : {"/token/" + action, "/token/" + action + "/<serial>"})
      router.add(
          "POST", path,
          [routes, action](http::RequestContext& c) { return routes->change(c, action); },
          authenticated);
  for (const auto& path : {"/token/resync", "/token/resync/<serial>"})
    router.add(
        "POST", path, [routes](http::RequestContext& c) { return routes->resync(c); },
        authenticated);
  for (const auto& path : {"/token/setpin", "/token/setpin/<serial>"})
    router.add(
        "POST", path, [routes](http::RequestContext& c) { return routes->setpin(c); },
        authenticated);
  for (const auto& path : {"/token/approve", "/token/approve/<serial>"})
    router.add(
        "POST", path, [routes](http::RequestContext& c) { return routes->decide(c, true); },
        authenticated);
  for (const auto& path : {"/token/deny", "/token/deny/<serial>"})
    router.add(
        "POST", path, [routes](http::RequestContext& c) { return routes->decide(c, false); },
        authenticated);
  for (const auto& path : {"/token/history", "/token/history/<serial>"})
    router.add(
        "GET", path, [routes](http::RequestContext& c) { return routes->history(c); },
        authenticated);
  router.add(
      "POST", "/token/assign", [routes](http::RequestContext& c) { return routes->assign(c); },
      authenticated);
  router.add(
      "DELETE", "/token/<serial>",
      [routes](http::RequestContext& c) { return routes->change(c, "delete"); }, authenticated);
}

}  // namespace tessera::api
