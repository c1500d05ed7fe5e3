#include "server/ca/certificate_issuer.hpp"

#include <algorithm>
#include <ctime>
#include <stdexcept>

#include <boost/json.hpp>

#include "server/ca/certificate_profile.hpp"
#include "server/plugins/component_instance.hpp"

namespace tessera::ca {

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

std::string CertificateIssuer::default_key_type(const std::string& ca, const std::string& profile) {
  return resolve(ca, profile).second.key_types.front();
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

  Outcome outcome;
  outcome.info = {{"ca", ca}, {"profile", profile_name}, {"validity_days", days}};
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
  boost::json::array emails, upns;
  if (profile.san_email && !r.owner.email.empty())
    emails.push_back(boost::json::string(r.owner.email));
  if (profile.san_upn) upns.push_back(boost::json::string(r.owner.username + "@" + r.realm));
  auto strings = [](const std::vector<std::string>& items) {
    return boost::json::array(items.begin(), items.end());
  };
  boost::json::object answer;
  try {
    answer = connector->call(
        1,
        {{"csr", r.csr},
         {"profile",
          {{"validity_days", days},
           {"key_types", strings(profile.key_types)},
           {"key_usage", strings(profile.key_usage)},
           {"extended_key_usage", strings(profile.extended_key_usage)},
           {"crl_url", public_url_.empty() ? std::string() : public_url_ + "/ca/" + ca + "/crl"}}},
         {"subject", subject},
         {"san", {{"email", emails}, {"upn", upns}}}});
  } catch (const plugins::PluginCallError& e) {
    if (e.status() == TESSERA_ERR_INVALID_ARGUMENT) throw IssueError(e.what());
    throw;
  }
  const auto state = answer.contains("state") && answer.at("state").is_string()
                         ? std::string(answer.at("state").as_string())
                         : std::string();
  if (state == "pending") {
    // The CA decides later: the pending poller asks it about this request id.
    const auto* id = answer.if_contains("request_id");
    if (!id || !id->is_string() || id->get_string().empty())
      throw std::runtime_error("CA '" + ca + "' answered pending without a request_id");
    outcome.rollout_state = "pending";
    outcome.info["ca_request_id"] = id->get_string();
    outcome.info["certificate_request"] = r.csr;
    outcome.info["subject"] = subject_text;
    return outcome;
  }
  if (state == "denied")
    throw IssueError("CA '" + ca + "' denied the request: " +
                     (answer.contains("reason") ? boost::json::serialize(answer.at("reason"))
                                                : std::string("no reason given")));
  if (state != "issued")
    throw std::runtime_error("CA '" + ca + "' answered '" + state +
                             "' (issued, pending or denied expected)");
  record_issued(ca, r.token_serial, subject_text, answer, outcome);
  return outcome;
}

void CertificateIssuer::record_issued(const std::string& ca, const std::string& token_serial,
                                      const std::string& subject, const boost::json::object& answer,
                                      Outcome& outcome) {
  db::CertificateRow row{ca,
                         std::string(answer.at("serial").as_string()),
                         token_serial,
                         subject,
                         answer.at("not_after").to_number<long long>(),
                         std::string(answer.at("certificate").as_string())};
  if (!certificates_.insert(row)) {
    // Recorded already for this token (a poll whose transition did not commit): the same.
    bool same = false;
    for (const auto& known : certificates_.with_serial(row.serial))
      same = same || (known.ca == ca && known.token_serial == token_serial && known.pem == row.pem);
    if (!same) throw std::runtime_error("CA '" + ca + "' issued serial " + row.serial + " twice");
  }
  outcome.rollout_state = "enrolled";
  outcome.info["certificate"] = row.pem;
  outcome.info["certificate_serial"] = row.serial;
  outcome.info["not_after"] = row.not_after;
  outcome.detail["certificate"] = row.pem;
}

std::optional<CertificateIssuer::Outcome> CertificateIssuer::poll(const std::string& ca,
                                                                  const std::string& request_id,
                                                                  const std::string& token_serial,
                                                                  const std::string& subject) {
  auto connector = connectors_.instance(ca);
  if (!connector) throw IssueError("the CA connector '" + ca + "' is gone");
  auto answer = connector->call(2, {{"request_id", request_id}});
  const auto state = answer.contains("state") && answer.at("state").is_string()
                         ? std::string(answer.at("state").as_string())
                         : std::string();
  if (state == "pending") return std::nullopt;
  Outcome outcome;
  if (state == "denied") {
    outcome.rollout_state = "denied";
    outcome.info["denial_reason"] = answer.contains("reason") && answer.at("reason").is_string()
                                        ? std::string(answer.at("reason").as_string())
                                        : std::string("denied by CA '" + ca + "'");
    return outcome;
  }
  if (state != "issued")
    throw std::runtime_error("CA '" + ca + "' answered '" + state +
                             "' (issued, pending or denied expected)");
  record_issued(ca, token_serial, subject, answer, outcome);
  return outcome;
}

void CertificateIssuer::revoke(const db::TokenRow& token, const std::string& reason) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(token.info, ec);
  if (ec || !parsed.is_object()) return;
  const auto& info = parsed.as_object();
  const auto* serial = info.if_contains("certificate_serial");
  if (!serial || !serial->is_string()) return;
  // An enrolled existing certificate: its CA is not ours; it is marked revoked here only, and
  // only if it is still this token's.
  if (const auto* external = info.if_contains("external_ca"); external && external->is_string()) {
    certificates_.revoke(std::string(external->get_string()), std::string(serial->get_string()),
                         token.serial, reason, static_cast<long long>(std::time(nullptr)));
    return;
  }
  const auto* ca = info.if_contains("ca");
  if (!ca || !ca->is_string()) return;
  revoke_issued(std::string(ca->get_string()), std::string(serial->get_string()), token.serial,
                reason);
}

void CertificateIssuer::revoke_issued(const std::string& ca, const std::string& serial,
                                      const std::string& token_serial, const std::string& reason) {
  auto connector = connectors_.instance(ca);
  if (!connector) throw IssueError("the CA connector '" + ca + "' of this token is gone");
  connector->call(3, {{"serial", serial}, {"reason", reason}});
  if (certificates_.revoke(ca, serial, token_serial, reason,
                           static_cast<long long>(std::time(nullptr))))
    connectors_.renew_crl(ca);
}

}  // namespace tessera::ca
