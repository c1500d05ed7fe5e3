// A smart card token's enrollment. Its key is made on the card and never leaves it, so the
// server and the card's client (tessera-card) take three steps:
// 1. begin: the token is made in "clientwait" with a one-time enrollment code (random, only its
//    hash kept, bound to the caller, valid until the token's time to confirm runs out), and the
//    answer says what the card must do: the key types the profile allows, whether an
//    attestation is required, and the PIN rules of the enrollment policies.
// 2. submit: the client sends the CSR the card signed (and the card's attestation) with the
//    code, which is used up at once; the CA issues it (the token stays "clientwait", now with
//    the certificate and a challenge for the card), holds it for approval ("pending"), denies
//    it ("denied") or fails ("failed"), as for a certificate token.
// 3. confirm: the client has written the certificate next to the key and signs the challenge
//    with the card's key; the signature is checked with the issued certificate, and only then
//    is the token "enrolled" (and a card it replaces revoked, "superseded").
// expire_due: a token still in "clientwait" when its time runs out becomes "expired", and a
// certificate issued for it is revoked.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

#include <boost/json/object.hpp>

#include "db/token_repository.hpp"
#include "server/ca/certificate_enrollment.hpp"
#include "server/ca/certificate_issuer.hpp"

namespace tessera::ca {

// What the caller got wrong (a used code, another caller, a bad signature): 400 or 403.
class SmartcardError : public std::runtime_error {
 public:
  SmartcardError(int http_status, const std::string& message)
      : std::runtime_error(message), http_status_(http_status) {}
  int http_status() const { return http_status_; }

 private:
  int http_status_;
};

class SmartcardEnrollment {
 public:
  SmartcardEnrollment(CertificateIssuer& issuer, CertificateEnrollment& certificates,
                      db::TokenRepository& tokens, std::chrono::seconds time_to_confirm)
      : issuer_(issuer),
        certificates_(certificates),
        tokens_(tokens),
        time_to_confirm_(time_to_confirm) {}

  // The enrollment policies smartcard_pin_min_length, _max_length and _contents.
  struct PinRules {
    int min_length = 6;
    int max_length = 8;
    std::string contents;  // as otp_pin_contents: c letters, n digits, s others; "" any
  };
  struct Begin {
    std::string ca, profile;  // empty: the only one
    std::string actor;        // who enrolls: "alice@corp", or an admin's name
    bool attestation_required = false;
    PinRules pins;
    std::string replaces;  // the serial of the card this one replaces, if any
  };
  // Step 1, as the new token is made: its row becomes "clientwait"; detail gets
  // enrollment_code, expires_at, key_types, attestation_required and pin_rules. Throws
  // IssueError for a CA or profile that does not exist.
  void begin(const Begin& request, db::TokenRow& row, boost::json::object& detail);

  // Step 2. Throws SmartcardError (wrong code, caller or state) or IssueError (the CA refused
  // the request, or the attestation); returns the detail: rollout_state and, when issued,
  // certificate (with its chain) and challenge.
  boost::json::object submit(const db::TokenRow& token, const std::string& actor,
                             const std::string& code, CertificateEnrollment::Request request,
                             const std::string& csr_pem);

  // Step 3: signature is base64 of the card's signature (SHA-256; ECDSA or RSA PKCS#1 v1.5) over
  // the challenge's text. Throws SmartcardError.
  boost::json::object confirm(const db::TokenRow& token, const std::string& actor,
                              const std::string& signature);

  // Tokens whose time to confirm ran out: "expired", their certificates revoked. Returns how
  // many.
  int expire_due();

 private:
  CertificateIssuer& issuer_;
  CertificateEnrollment& certificates_;
  db::TokenRepository& tokens_;
  std::chrono::seconds time_to_confirm_;
};

}  // namespace tessera::ca
