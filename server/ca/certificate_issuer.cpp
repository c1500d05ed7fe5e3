#include "server/ca/certificate_issuer.hpp"

#include <algorithm>
#include <ctime>
#include <stdexcept>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "server/ca/certificate_profile.hpp"
#include "server/ca/issued_certificate.hpp"
#include "server/plugins/answer_limits.hpp"
#include "server/plugins/component_instance.hpp"
#include "server/util/clock.hpp"
#include "server/util/comma_list.hpp"

namespace tessera::ca {
namespace {

// A denial reason is kept with the token and shown: one past the cap refuses the answer.
void check_reason(const boost::json::value* reason) {
  if (reason && reason->is_string() && reason->get_string().size() > plugins::limits::kReason)
    throw plugins::PluginCallError(
        TESSERA_ERR_INTERNAL, "its denial reason has " +
                                  std::to_string(reason->get_string().size()) +
                                  " bytes, more than " + std::to_string(plugins::limits::kReason));
}

// A pending answer's retry_after: seconds the CA asked to wait (1 to a day), or 0.
long long retry_after_of(const boost::json::object& answer) {
  const auto* value = answer.if_contains("retry_after");
  if (!value || !value->is_int64()) return 0;
  const auto seconds = value->get_int64();
  return seconds >= 1 && seconds <= 86400 ? seconds : 0;
}

std::string state_of(const boost::json::object& answer) {
  const auto* state = answer.if_contains("state");
  return state && state->is_string() ? std::string(state->get_string()) : std::string();
}

// A CA answer the host cannot act on: a failure of the connector, not of the request.
[[noreturn]] void unusable_answer(const std::string& ca, const std::string& why) {
  throw plugins::PluginCallError(TESSERA_ERR_INTERNAL, "CA '" + ca + "' " + why);
}

}  // namespace

bool known_revocation_reason(const std::string& reason) {
  static const char* const reasons[] = {
      "unspecified",        "keyCompromise",        "cACompromise",    "affiliationChanged",
      "superseded",         "cessationOfOperation", "certificateHold", "removeFromCRL",
      "privilegeWithdrawn", "aACompromise"};
  return std::find(std::begin(reasons), std::end(reasons), reason) != std::end(reasons);
}

std::pair<std::string, CertificateProfile> CertificateIssuer::resolve(const std::string& ca_name,
                                                                      const std::string& name) {
  std::string ca = ca_name;
  if (ca.empty()) {
    const auto all = connectors_.list();
    if (all.size() != 1)
      throw IssueError("name the CA connector ('ca'): there are " + std::to_string(all.size()));
    ca = all.front().name;
  }
  if (!connectors_.find(ca)) throw IssueError("no CA connector '" + ca + "'");
  const auto profiles = profiles_.of(ca);
  std::string profile_name = name;
  if (profile_name.empty()) {
    if (profiles.size() != 1)
      throw IssueError("name the certificate profile ('profile'): CA '" + ca + "' has " +
                       std::to_string(profiles.size()));
    profile_name = profiles.begin()->first;
  }
  auto found = profiles.find(profile_name);
  if (found == profiles.end())
    throw IssueError("CA '" + ca + "' has no profile '" + profile_name + "'");
  auto profile = CertificateProfile::from_json(boost::json::parse(found->second).as_object());
  profile.name = profile_name;
  return {ca, std::move(profile)};
}

std::pair<std::string, std::string> CertificateIssuer::names_of(const std::string& ca,
                                                                const std::string& profile) {
  auto [resolved_ca, resolved] = resolve(ca, profile);
  return {resolved_ca, resolved.name};
}

std::vector<std::string> CertificateIssuer::key_types_of(const std::string& ca,
                                                         const std::string& profile) {
  return resolve(ca, profile).second.key_types;
}

std::string CertificateIssuer::default_key_type(const std::string& ca, const std::string& profile) {
  return resolve(ca, profile).second.key_types.front();
}

CertificateIssuer::RequestNames CertificateIssuer::request_names_for(const std::string& ca,
                                                                     const std::string& profile,
                                                                     const db::UserRow& owner,
                                                                     const std::string& realm) {
  const auto p = resolve(ca, profile).second;
  check_email_domain(p, owner, realm);
  try {
    RequestNames names;
    names.subject = p.subject_of(owner, realm);
    if (p.san_email && !owner.email.empty()) names.emails.push_back(owner.email);
    if (p.san_upn) names.upns.push_back(owner.username + "@" + realm);
    if (auto dns = p.dns_name_of(owner, realm); !dns.empty()) names.dns_names.push_back(dns);
    names.ca_template = p.ca_template;
    return names;
  } catch (const ProfileError& e) {
    throw IssueError(e.what());
  }
}

void CertificateIssuer::check_email_domain(const CertificateProfile& profile,
                                           const db::UserRow& owner,
                                           const std::string& realm) const {
  if (!profile.email_in_realm_domains || !profile.puts_email_in_certificate() ||
      owner.email.empty())
    return;
  const auto domains = email_domains_ ? email_domains_(realm) : std::vector<std::string>();
  const auto at = owner.email.rfind('@');
  std::string domain = at == std::string::npos ? "" : owner.email.substr(at + 1);
  for (auto& c : domain) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto allowed : domains) {
    for (auto& c : allowed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!domain.empty() && domain == allowed) return;
  }
  throw IssueError("profile '" + profile.name + "' puts only e-mail addresses of realm " + realm +
                   "'s domains in certificates (" +
                   (domains.empty() ? std::string("the realm names none: enrollment policy "
                                                  "email_domains")
                                    : util::join_comma_list(domains)) +
                   "), not " + owner.email);
}

CertificateIssuer::Outcome CertificateIssuer::issue(const Request& r) {
  const auto [ca, profile] = resolve(r.ca, r.profile);
  const auto& profile_name = profile.name;
  auto connector = connectors_.instance(ca);
  if (!connector) throw IssueError("no CA connector '" + ca + "'");
  const int days = r.validity_days ? r.validity_days : profile.validity_days.front();
  if (std::find(profile.validity_days.begin(), profile.validity_days.end(), days) ==
      profile.validity_days.end())
    throw IssueError("profile '" + profile_name + "' does not offer " + std::to_string(days) +
                     " days");

  // A device's names come with the enrollment; the profile says which it takes.
  const auto device_name = [&](bool wanted, const std::string& value, const char* what,
                               const char* param) {
    if (wanted && value.empty())
      throw IssueError("profile '" + profile_name + "' names the device's " + what + ": give " +
                       param + " (as the admin who enrolls the token)");
    if (!wanted && !value.empty())
      throw IssueError("profile '" + profile_name + "' takes no " + what + " (" + param + ")");
  };
  check_email_domain(profile, r.owner, r.realm);
  device_name(profile.san_ip, r.ip, "IP address", "ip");
  device_name(profile.san_permanent_identifier, r.device_serial, "serial number", "device_serial");

  Outcome outcome;
  outcome.info = {{"ca", ca}, {"profile", profile_name}, {"validity_days", days}};
  if (!r.ip.empty()) outcome.info["device_ip"] = r.ip;
  if (!r.device_serial.empty()) outcome.info["device_serial"] = r.device_serial;
  boost::json::object subject;
  std::string subject_text;
  try {
    for (const auto& [field, value] : profile.subject_of(r.owner, r.realm)) {
      subject[field] = value;
      subject_text += (subject_text.empty() ? "" : ", ") + field + "=" + value;
    }
  } catch (const ProfileError& e) {
    throw IssueError(e.what());
  }
  if (profile.approval && !r.approved) {
    // Issued when an admin approves; the request waits with the token.
    outcome.rollout_state = "pending";
    outcome.info["certificate_request"] = r.csr;
    return outcome;
  }
  RequestedCertificate requested;
  requested.csr = r.csr;
  requested.subject = profile.subject_of(r.owner, r.realm);
  if (profile.san_email && !r.owner.email.empty()) requested.emails.push_back(r.owner.email);
  if (profile.san_upn) requested.upns.push_back(r.owner.username + "@" + r.realm);
  try {
    if (auto dns = profile.dns_name_of(r.owner, r.realm); !dns.empty())
      requested.dns_names.push_back(std::move(dns));
  } catch (const ProfileError& e) {
    throw IssueError(e.what());
  }
  if (!r.ip.empty()) requested.ip_addresses.push_back(r.ip);
  if (!r.device_serial.empty()) requested.permanent_identifiers.push_back(r.device_serial);
  requested.extended_key_usage = profile.extended_key_usage;
  requested.validity_days = days;
  auto strings = [](const std::vector<std::string>& items) {
    return boost::json::array(items.begin(), items.end());
  };
  boost::json::object answer;
  try {
    answer = connector->call(
        plugins::Operation::sign_request,
        {{"csr", r.csr},
         {"profile",
          {{"validity_days", days},
           {"key_types", strings(profile.key_types)},
           {"key_usage", strings(profile.key_usage)},
           {"extended_key_usage", strings(profile.extended_key_usage)},
           {"crl_url", public_url_.empty() ? std::string() : public_url_ + "/ca/" + ca + "/crl"},
           {"template", profile.ca_template}}},
         {"subject", subject},
         {"san",
          {{"email", strings(requested.emails)},
           {"upn", strings(requested.upns)},
           {"dns", strings(requested.dns_names)},
           {"ip", strings(requested.ip_addresses)},
           {"permanent_identifier", strings(requested.permanent_identifiers)}}}});
  } catch (const plugins::PluginCallError& e) {
    if (e.status() == TESSERA_ERR_INVALID_ARGUMENT) throw IssueError(e.what());
    throw;
  }
  const auto state = state_of(answer);
  if (state == "pending") {
    // The CA decides later: the pending poller asks it about this request id.
    const auto* id = answer.if_contains("request_id");
    if (!id || !id->is_string() || id->get_string().empty())
      unusable_answer(ca, "answered pending without a request_id");
    outcome.rollout_state = "pending";
    outcome.info["ca_request_id"] = id->get_string();
    outcome.info["certificate_request"] = r.csr;
    outcome.info["subject"] = subject_text;
    outcome.info["requested"] = requested.to_json();
    // Asked first when the CA said it would be worth it (its Retry-After), else after the
    // poller's first interval.
    if (const auto wait = retry_after_of(answer))
      outcome.info["next_poll_at"] = static_cast<long long>(std::time(nullptr)) + wait;
    return outcome;
  }
  if (state == "denied") {
    // The CA's decision, kept with the token as the poller keeps a later one.
    outcome.rollout_state = "denied";
    const auto* reason = answer.if_contains("reason");
    check_reason(reason);
    outcome.info["denial_reason"] = reason && reason->is_string() && !reason->get_string().empty()
                                        ? std::string(reason->get_string())
                                        : "denied by CA '" + ca + "' without a reason";
    return outcome;
  }
  if (state != "issued")
    unusable_answer(ca, "answered the state '" + state + "' (issued, pending or denied expected)");
  try {
    record_issued(ca, r.token_serial, subject_text, answer, requested, outcome);
  } catch (const IssuedCertificateRefused& e) {
    unusable_answer(ca, std::string("issued a certificate the server refuses: ") + e.what());
  }
  return outcome;
}

void CertificateIssuer::record_issued(const std::string& ca, const std::string& token_serial,
                                      const std::string& subject, const boost::json::object& answer,
                                      const RequestedCertificate& requested, Outcome& outcome) {
  const auto* pem = answer.if_contains("certificate");
  if (!pem || !pem->is_string()) throw IssuedCertificateRefused("the answer has no certificate");
  auto connector = connectors_.instance(ca);
  if (!connector || !connector->has(plugins::Operation::ca_certificate))
    throw IssuedCertificateRefused(
        "the connector does not publish its CA certificate (ca_certificate), so what it issues "
        "cannot be checked");
  const auto issued =
      check_issued_certificate(std::string(pem->get_string()), connectors_.ca_certificate_pem(ca),
                               requested, util::unix_seconds());
  db::CertificateRow row{ca, issued.serial, token_serial, subject, issued.not_after, issued.pem};
  if (!certificates_.insert(row)) {
    // Recorded already for this token (a poll whose transition did not commit): the same.
    bool same = false;
    for (const auto& known : certificates_.with_serial(row.serial))
      same = same || (known.ca == ca && known.token_serial == token_serial && known.pem == row.pem);
    if (!same) throw IssuedCertificateRefused("the CA issued serial " + row.serial + " twice");
  }
  outcome.rollout_state = "enrolled";
  outcome.info["certificate"] = row.pem;
  outcome.info["certificate_serial"] = row.serial;
  outcome.info["not_after"] = row.not_after;
  outcome.detail["certificate"] = row.pem;
}

std::optional<CertificateIssuer::Outcome> CertificateIssuer::poll(
    const std::string& ca, const std::string& request_id, const std::string& token_serial,
    const boost::json::object& token_info, long long* retry_after) {
  const auto text = [&](const char* key) {
    const auto* value = token_info.if_contains(key);
    return value && value->is_string() ? std::string(value->get_string()) : std::string();
  };
  auto connector = connectors_.instance(ca);
  if (!connector) throw IssueError("the CA connector '" + ca + "' is gone");
  auto answer = connector->call(plugins::Operation::request_status, {{"request_id", request_id}});
  const auto state = state_of(answer);
  if (state == "pending") {
    if (retry_after) *retry_after = retry_after_of(answer);
    return std::nullopt;
  }
  Outcome outcome;
  if (state == "denied") {
    outcome.rollout_state = "denied";
    check_reason(answer.if_contains("reason"));
    outcome.info["denial_reason"] = answer.contains("reason") && answer.at("reason").is_string()
                                        ? std::string(answer.at("reason").as_string())
                                        : std::string("denied by CA '" + ca + "'");
    return outcome;
  }
  if (state != "issued")
    throw IssueError("CA '" + ca + "' answered the state '" + state +
                     "' (issued, pending or denied expected)");
  // What was asked for when the request went to the CA; a request from before the server kept
  // it is held to the key, the chain and the term.
  const auto* kept = token_info.if_contains("requested");
  auto requested = RequestedCertificate::from_json(
      kept && kept->is_object() ? kept->get_object() : boost::json::object(),
      text("certificate_request"));
  if (!kept) {
    requested.scope_known = false;
    const auto* days = token_info.if_contains("validity_days");
    requested.validity_days = days && days->is_int64() ? static_cast<int>(days->get_int64()) : 0;
  }
  try {
    record_issued(ca, token_serial, text("subject"), answer, requested, outcome);
  } catch (const IssuedCertificateRefused& e) {
    throw IssueError("CA '" + ca + "' issued a certificate the server refuses: " + e.what());
  }
  return outcome;
}

std::string CertificateIssuer::revoke(const db::TokenRow& token, const std::string& reason) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(token.info, ec);
  if (ec || !parsed.is_object()) return {};
  const auto& info = parsed.as_object();
  const auto text = [&](const char* key) {
    const auto* value = info.if_contains(key);
    return value && value->is_string() ? std::string(value->get_string()) : std::string();
  };
  const auto serial = text("certificate_serial");
  if (serial.empty()) return withdraw_pending(token);
  // An enrolled existing certificate: its CA is not ours; it is marked revoked here only, and
  // only if it is still this token's.
  if (const auto external = text("external_ca"); !external.empty()) {
    certificates_.revoke(external, serial, token.serial, reason,
                         static_cast<long long>(std::time(nullptr)));
    return {};
  }
  const auto ca = text("ca");
  if (ca.empty()) return {};
  return revoke_queued(ca, serial, token.serial, reason);
}

std::string CertificateIssuer::revoke_queued(const std::string& ca, const std::string& serial,
                                             const std::string& token_serial,
                                             const std::string& reason) {
  const auto tell_ca = [&] { return revoke_issued(ca, serial, token_serial, reason); };
  if (!revocations_) return tell_ca();
  return revocations_->revoke({ca, serial, token_serial, reason}, tell_ca);
}

std::string CertificateIssuer::withdraw_pending(const db::TokenRow& token) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(token.info, ec);
  if (ec || !parsed.is_object()) return {};
  const auto* id = parsed.as_object().if_contains("ca_request_id");
  const auto* ca = parsed.as_object().if_contains("ca");
  if (!id || !id->is_string() || !ca || !ca->is_string()) return {};
  return cancel_request(std::string(ca->get_string()), std::string(id->get_string()), token.serial);
}

std::string CertificateIssuer::cancel_request(const std::string& ca, const std::string& request_id,
                                              const std::string& token_serial) {
  std::string note;
  auto connector = connectors_.instance(ca);
  if (!connector) {
    note = "the pending request " + request_id + " could not be withdrawn: CA connector '" + ca +
           "' is gone";
  } else if (!connector->has(plugins::Operation::cancel_request)) {
    note = "the pending request " + request_id + " could not be withdrawn: CA connector '" + ca +
           "' cannot withdraw requests; deny it at the CA";
  } else {
    try {
      connector->call(plugins::Operation::cancel_request, {{"request_id", request_id}});
      note = "the pending request " + request_id + " was withdrawn at CA '" + ca + "'";
    } catch (const plugins::PluginCallError& e) {
      note = "the pending request " + request_id + " could not be withdrawn at CA '" + ca +
             "': " + e.what();
    }
  }
  spdlog::info("token {}: {}", token_serial, note);
  return note;
}

std::string CertificateIssuer::revoke_issued(const std::string& ca, const std::string& serial,
                                             const std::string& token_serial,
                                             const std::string& reason) {
  auto connector = connectors_.instance(ca);
  if (!connector) throw IssueError("the CA connector '" + ca + "' of this token is gone");
  const auto answer =
      connector->call(plugins::Operation::revoke, {{"serial", serial}, {"reason", reason}});
  const auto* state = answer.if_contains("state");
  const bool at_ca = state && state->is_string() && state->get_string() == "revoke_at_ca";
  // A CA that publishes its own CRL has it from the revoke call above; ours lists it from the
  // next time it is asked for or the background job's next turn, whichever comes first.
  const bool recorded = certificates_.revoke(ca, serial, token_serial, reason,
                                             static_cast<long long>(std::time(nullptr)));
  if (!at_ca) return {};
  const auto* message = answer.if_contains("message");
  std::string said = message && message->is_string() ? std::string(message->get_string()) : "";
  if (said.size() > 512) said.resize(512);
  const auto note = "CA '" + ca + "' cannot revoke certificate " + serial +
                    " through its protocol: its administrator must" +
                    (recorded ? " (listed at /ca/" + ca + "/revocations)" : "") +
                    (said.empty() ? "" : ": " + said);
  spdlog::warn("token {}: {}", token_serial, note);
  if (recorded && revoke_at_ca_) revoke_at_ca_(token_serial, ca, serial, reason, said);
  return note;
}

}  // namespace tessera::ca
