// What a certificate token's enrollment becomes, and the admins' decisions on it:
// - a CSR (with an attestation certificate if the policy asks) is issued by a CA connector at
//   once, or waits in "pending" for an approver;
// - an existing certificate is checked against the trusted CAs and waits in "review";
// - a CA that fails leaves the request in "failed", kept for an admin to retry;
// - approve and deny move pending, review and failed tokens on, each move recorded.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

#include <boost/json/object.hpp>

#include "db/certificate_repository.hpp"
#include "db/identity_repository.hpp"
#include "db/token_repository.hpp"
#include "server/ca/certificate_issuer.hpp"
#include "server/ca/trust_store.hpp"

namespace tessera::ca {

// The CA could not issue (it failed, or what the request names is gone). The request is kept
// in the token, now "failed".
class CaFailure : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Policy certificate_require_attestation: ignore (the default; an attestation is not looked
// at), verify (one that is given must be right), require (one must be given and be right).
enum class AttestationPolicy { ignore, verify, require };
// Also takes eduMFA's "require_and_verify". Throws IssueError for other values.
AttestationPolicy attestation_policy(const std::string& value);

class CertificateEnrollment {
 public:
  CertificateEnrollment(CertificateIssuer& issuer, db::TokenRepository& tokens,
                        db::CertificateRepository& certificates, const TrustStore& trusted_cas,
                        const TrustStore& attestation_roots)
      : issuer_(issuer),
        tokens_(tokens),
        certificates_(certificates),
        trusted_cas_(trusted_cas),
        attestation_roots_(attestation_roots) {}

  struct Request {
    std::string ca, profile;  // empty: the only one
    int validity_days = 0;    // 0: the profile's default
    db::UserRow owner;
    std::string realm;
    std::string attestation;  // PEM: the attestation certificate, then its intermediates
    AttestationPolicy attestation_policy = AttestationPolicy::ignore;
    std::string ip, device_serial;  // a device's names (checked), for profiles that take them
  };
  // Turns the token type's answer ({"csr"[, "private_key"]} or {"certificate"}) into
  // the new token's rollout state and info; detail gets the certificate. Throws IssueError for
  // bad input. When the CA fails the row becomes "failed" with the request kept, except for a
  // server-made key, which is never stored: then the CA's error is thrown.
  void complete(const Request& request, const boost::json::object& made, db::TokenRow& row,
                boost::json::object& detail);

  // pending or failed: has the certificate issued now (detail: the certificate); review:
  // accepts the existing certificate. Throws IssueError when the token is in another state or
  // was decided meanwhile; CaFailure when the CA fails (the token is then "failed").
  boost::json::object approve(const db::TokenRow& token, const db::UserRow& owner,
                              const std::string& realm, const db::TransitionNote& note);
  // pending, review or failed -> denied, with the reason.
  void deny(const db::TokenRow& token, const db::TransitionNote& note);

  // How long a smart card has to confirm a certificate issued on approval (card_confirmation).
  void await_cards_for(std::chrono::seconds time_to_confirm) { card_confirm_ = time_to_confirm; }

 private:
  static constexpr long long kIssuingTimeoutSeconds = 600;

  void check_attestation(const std::string& csr_pem, const Request& request,
                         boost::json::object& info) const;
  void take_existing(const boost::json::object& made, db::TokenRow& row, boost::json::object& info,
                     boost::json::object& detail);

  CertificateIssuer& issuer_;
  db::TokenRepository& tokens_;
  db::CertificateRepository& certificates_;
  const TrustStore& trusted_cas_;
  std::chrono::seconds card_confirm_{3600};
  const TrustStore& attestation_roots_;
};

}  // namespace tessera::ca
