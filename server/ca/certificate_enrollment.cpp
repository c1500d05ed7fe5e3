#include "server/ca/certificate_enrollment.hpp"

#include <openssl/err.h>

#include <openssl/pem.h>
#include <ctime>

#include <boost/json.hpp>

#include "db/fit_text.hpp"
#include "server/ca/card_confirmation.hpp"
#include "server/ca/certificate_login.hpp"
#include "server/crypto/request_summary.hpp"
#include "server/crypto/x509.hpp"
#include "server/plugins/component_instance.hpp"
#include "server/util/json_fields.hpp"

namespace tessera::ca {
namespace {

using util::text;

boost::json::object object_of(const std::string& json) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(json, ec);
  return !ec && parsed.is_object() ? parsed.as_object() : boost::json::object();
}

crypto::PkeyPtr request_key(const std::string& csr_pem) {
  crypto::BioPtr in(BIO_new_mem_buf(csr_pem.data(), static_cast<int>(csr_pem.size())));
  X509_REQ* csr = PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr);
  ERR_clear_error();
  if (!csr) return nullptr;
  crypto::PkeyPtr key(X509_REQ_get_pubkey(csr));
  X509_REQ_free(csr);
  return key;
}

}  // namespace

AttestationPolicy attestation_policy(const std::string& value) {
  if (value.empty() || value == "ignore") return AttestationPolicy::ignore;
  if (value == "verify") return AttestationPolicy::verify;
  if (value == "require" || value == "require_and_verify") return AttestationPolicy::require;
  throw IssueError("policy certificate_require_attestation has an unknown value '" + value +
                   "' (ignore, verify, require)");
}

void CertificateEnrollment::complete(const Request& r, const boost::json::object& made,
                                     db::TokenRow& row, boost::json::object& detail) {
  auto info = object_of(row.info);
  // A required attestation is of a key made on a device: neither a key made here nor an
  // existing certificate has one.
  if (r.attestation_policy == AttestationPolicy::require &&
      (made.contains("certificate") || made.contains("private_key")))
    throw IssueError(
        "policy certificate_require_attestation=require: enroll a CSR with the attestation of "
        "its key (not genkey=1 or an existing certificate)");
  if (made.contains("certificate")) {
    take_existing(made, row, info, detail);
    row.info = boost::json::serialize(info);
    return;
  }
  const auto csr = text(made, "csr");
  const bool server_key = made.contains("private_key");
  if (!server_key) {
    check_attestation(csr, r, info);
    // What the requester asked for, for an approver to read before deciding.
    if (const auto summary = crypto::summarize_request(csr))
      info["request_summary"] = {
          {"key", summary->key},
          {"subject", summary->subject},
          {"names", boost::json::array(summary->names.begin(), summary->names.end())}};
  }
  CertificateIssuer::Request issue;
  issue.ca = r.ca;
  issue.profile = r.profile;
  issue.validity_days = r.validity_days;
  issue.csr = csr;
  issue.owner = r.owner;
  issue.realm = r.realm;
  issue.token_serial = row.serial;
  issue.ip = r.ip;
  issue.device_serial = r.device_serial;
  try {
    auto outcome = issuer_.issue(issue);
    row.rollout_state = outcome.rollout_state;
    for (const auto& [key, value] : outcome.info) info[key] = value;
    for (const auto& [key, value] : outcome.detail) detail[key] = value;
  } catch (const plugins::PluginCallError& e) {
    if (server_key) throw;  // the key cannot wait for a retry: it is never stored
    row.rollout_state = "failed";
    info["ca"] = r.ca;
    info["profile"] = r.profile;
    info["validity_days"] = r.validity_days;
    info["certificate_request"] = csr;
    if (!r.ip.empty()) info["device_ip"] = r.ip;
    if (!r.device_serial.empty()) info["device_serial"] = r.device_serial;
    info["failure"] = e.what();
  }
  row.info = boost::json::serialize(info);
}

void CertificateEnrollment::check_attestation(const std::string& csr_pem, const Request& r,
                                              boost::json::object& info) const {
  if (r.attestation_policy == AttestationPolicy::ignore) return;
  if (r.attestation.empty()) {
    if (r.attestation_policy == AttestationPolicy::require)
      throw IssueError(
          "an attestation certificate of the key is required ('attestation', PEM, with its "
          "intermediates)");
    return;
  }
  auto chain = crypto::parse_certificates(r.attestation);
  if (chain.empty()) throw IssueError("'attestation' is not a PEM certificate");
  auto key = request_key(csr_pem);
  if (!crypto::same_public_key(key.get(), X509_get0_pubkey(chain.front().get())))
    throw IssueError("the attestation certificate is for another key than the request's");
  if (attestation_roots_.empty())
    throw IssueError(
        "an attestation cannot be verified: the server has no attestation roots "
        "(certificates.attestation_ca_file)");
  std::string intermediates;
  for (size_t i = 1; i < chain.size(); ++i) intermediates += crypto::pem_of(chain[i].get());
  if (auto why = attestation_roots_.verify(crypto::pem_of(chain.front().get()), intermediates,
                                           TrustStore::Purpose::any))
    throw IssueError("the attestation is not accepted: " + *why);
  info["attestation"] = "verified";
  info["attestation_subject"] = crypto::subject_text(chain.front().get());
}

void CertificateEnrollment::take_existing(const boost::json::object& made, db::TokenRow& row,
                                          boost::json::object& info, boost::json::object& detail) {
  if (trusted_cas_.empty())
    throw IssueError(
        "existing certificates cannot be enrolled: the server trusts no CA for them "
        "(certificates.trusted_ca_file)");
  const auto pem = text(made, "certificate");
  auto certificate = crypto::parse_certificate(pem);
  if (!certificate) throw IssueError("'certificate' is not a PEM certificate");
  // Checked as a login will check it: the certificate alone, so its issuing CA must be trusted.
  if (auto why = trusted_cas_.verify(pem, "", TrustStore::Purpose::client_authentication))
    throw IssueError("the certificate is not accepted: " + *why);
  const auto serial = crypto::serial_hex(certificate.get());
  if (serial.size() > 64) throw IssueError("the certificate's serial number is too long");
  const auto der = crypto::der_of(certificate.get());
  db::CertificateRow stored{external_ca_of(pem),
                            serial,
                            row.serial,
                            db::fit_text(crypto::subject_text(certificate.get()), 1024),
                            crypto::not_after(certificate.get()),
                            pem};
  // One certificate, one token. A certificate whose token was denied or deleted may come again
  // (an admin decides anew); a revoked one never.
  bool known_here = false;
  for (const auto& known : certificates_.with_serial(serial)) {
    auto other = crypto::parse_certificate(known.pem);
    if (!other || crypto::der_of(other.get()) != der) continue;
    if (known.revoked) throw IssueError("this certificate was revoked here");
    const auto holder = tokens_.find(known.token_serial);
    if (holder && holder->rollout_state != "denied")
      throw IssueError("this certificate already belongs to token " + known.token_serial);
    if (!certificates_.reassign(known.ca, serial, known.token_serial, row.serial))
      throw IssueError("this certificate was enrolled meanwhile");
    known_here = true;
  }
  if (!known_here && !certificates_.insert(stored))
    throw IssueError("a certificate with serial " + serial + " of this issuer is enrolled");
  row.rollout_state = "review";
  info["certificate_source"] = "existing";
  info["certificate"] = pem;
  info["certificate_serial"] = serial;
  info["external_ca"] = stored.ca;
  info["subject"] = stored.subject;
  info["issuer"] = crypto::issuer_text(certificate.get());
  info["not_after"] = stored.not_after;
  detail["certificate"] = pem;
}

boost::json::object CertificateEnrollment::approve(const db::TokenRow& token,
                                                   const db::UserRow& owner,
                                                   const std::string& realm,
                                                   const db::TransitionNote& note) {
  auto info = object_of(token.info);
  info["decided_by"] = note.actor;
  if (!note.reason.empty()) info["approval_note"] = note.reason;
  const auto& state = token.rollout_state;
  if (state == "review") {
    if (!tokens_.change_rollout(token.serial, state, "enrolled", boost::json::serialize(info),
                                note))
      throw IssueError("token " + token.serial + " was decided meanwhile");
    return {};
  }
  if (state != "pending" && state != "failed")
    throw IssueError("token " + token.serial + " is not waiting for a decision (it is '" + state +
                     "')");
  if (state == "pending" && info.contains("ca_request_id"))
    throw IssueError("token " + token.serial + " waits for its CA (request " +
                     text(info, "ca_request_id") + "), not for an approver");
  // Claimed first (the info carries the claim), so that two approvers, or an approver and a
  // revocation, never both have a certificate issued. A claim older than kIssuingTimeout was
  // left by a process that died; it may be taken over.
  const long long now = static_cast<long long>(std::time(nullptr));
  if (const auto* since = info.if_contains("issuing_since");
      since && since->is_int64() && now - since->get_int64() < kIssuingTimeoutSeconds)
    throw IssueError("token " + token.serial + " is being issued right now");
  info["issuing_since"] = now;
  if (!tokens_.claim(token.serial, state, token.info, boost::json::serialize(info)))
    throw IssueError("token " + token.serial + " was decided meanwhile");
  info.erase("issuing_since");

  CertificateIssuer::Request issue;
  issue.ca = text(info, "ca");
  issue.profile = text(info, "profile");
  if (const auto* days = info.if_contains("validity_days"); days && days->is_int64())
    issue.validity_days = static_cast<int>(days->get_int64());
  issue.csr = text(info, "certificate_request");
  issue.owner = owner;
  issue.realm = realm;
  issue.token_serial = token.serial;
  issue.approved = true;
  issue.ip = text(info, "device_ip");
  issue.device_serial = text(info, "device_serial");
  auto failed = [&](const std::string& why) {
    info["failure"] = why;
    tokens_.change_rollout(token.serial, state, "failed", boost::json::serialize(info),
                           {note.actor, why});
    return CaFailure("the CA did not issue: " + why + " (token " + token.serial +
                     " is 'failed'; approve it again to retry)");
  };
  CertificateIssuer::Outcome outcome;
  try {
    outcome = issuer_.issue(issue);
  } catch (const IssueError& e) {
    throw failed(e.what());
  } catch (const plugins::PluginCallError& e) {
    throw failed(e.what());
  }
  for (const auto& [key, value] : outcome.info) info[key] = value;
  info.erase("certificate_request");
  info.erase("failure");
  if (outcome.rollout_state == "denied") {
    const auto why = text(outcome.info, "denial_reason");
    tokens_.change_rollout(token.serial, state, "denied", boost::json::serialize(info),
                           {"CA " + issue.ca, why});
    throw IssueError("CA '" + issue.ca + "' denied the request: " + why + " (token " +
                     token.serial + " is 'denied')");
  }
  // A smart card's certificate waits for the card to write it and confirm.
  const auto target = outcome.rollout_state == "enrolled"
                          ? state_after_issue(token.type, info, card_confirm_)
                          : outcome.rollout_state;
  if (!tokens_.change_rollout(token.serial, state, target, boost::json::serialize(info), note)) {
    // Revoked or denied while the CA worked: the certificate must not stay valid.
    if (const auto* serial = outcome.info.if_contains("certificate_serial"))
      issuer_.revoke_queued(text(outcome.info, "ca"), std::string(serial->as_string()),
                            token.serial, "cessationOfOperation");
    throw IssueError("token " + token.serial +
                     " was decided meanwhile; the certificate just issued is revoked");
  }
  return outcome.detail;
}

void CertificateEnrollment::deny(const db::TokenRow& token, const db::TransitionNote& note) {
  const auto& state = token.rollout_state;
  if (state != "pending" && state != "review" && state != "failed")
    throw IssueError("token " + token.serial + " is not waiting for a decision (it is '" + state +
                     "')");
  if (note.reason.empty()) throw IssueError("give the reason for the denial ('reason')");
  auto info = object_of(token.info);
  info["denial_reason"] = note.reason;
  info["decided_by"] = note.actor;
  if (!tokens_.change_rollout(token.serial, state, "denied", boost::json::serialize(info), note))
    throw IssueError("token " + token.serial + " was decided meanwhile");
}

}  // namespace tessera::ca
