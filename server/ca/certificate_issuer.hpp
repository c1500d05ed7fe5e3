// Has a certificate token's CSR signed: picks the CA connector and profile, builds subject and
// alternative names from the owner's attributes, issues at once or leaves the token pending
// for an admin's approval, records what the CA issued, and revokes it again.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "db/certificate_profile_repository.hpp"
#include "db/certificate_repository.hpp"
#include "db/identity_repository.hpp"
#include "db/token_repository.hpp"
#include "server/ca/ca_connectors.hpp"
#include "server/ca/certificate_profile.hpp"
#include "server/ca/issued_certificate.hpp"
#include "server/ca/revocation_queue.hpp"

namespace tessera::ca {

class IssueError : public std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// RFC 5280's revocation reasons by name ("keyCompromise", ...).
bool known_revocation_reason(const std::string& reason);

class CertificateIssuer {
 public:
  // public_url: where clients reach the server; the CRL URL in certificates is built from it.
  CertificateIssuer(CaConnectors& connectors, db::CertificateProfileRepository& profiles,
                    db::CertificateRepository& certificates, std::string public_url = "")
      : connectors_(connectors),
        profiles_(profiles),
        certificates_(certificates),
        public_url_(std::move(public_url)) {}

  struct Request {
    std::string ca;         // empty: the only CA connector
    std::string profile;    // empty: the CA's only profile
    int validity_days = 0;  // 0: the profile's default
    std::string csr;
    db::UserRow owner;
    std::string realm;
    std::string token_serial;
    bool approved = false;  // an admin approved it: issue even if the profile wants approval
    std::string ip, device_serial;  // a device's names, checked; for profiles that take them
  };
  struct Outcome {
    // "enrolled", "pending" (for an approver, or the CA) or "denied" (info.denial_reason: the
    // CA's words)
    std::string rollout_state;
    boost::json::object info;    // ca, profile, certificate or the waiting request, ...
    boost::json::object detail;  // certificate (PEM) when issued
  };
  // Throws IssueError for bad input (no such CA or profile, a term the profile does not offer,
  // a key it does not allow, a request the connector refuses), plugins::PluginCallError when the CA
  // fails or answers what the host cannot use (an unknown state, a certificate that fails the
  // checks of issued_certificate.hpp).
  Outcome issue(const Request& request);

  // Asks the CA about a request it left pending: nullopt while it still is; otherwise the
  // outcome ("enrolled" with the certificate recorded, or "denied" with info.denial_reason).
  // Throws IssueError when the connector is gone, PluginCallError when the CA fails.
  // token_info: the pending token's info (its request, subject and what was asked for).
  // A certificate that fails the host's checks (see issued_certificate.hpp) is an IssueError.
  // retry_after: set to the seconds the CA asked to wait before the next question (0: none).
  std::optional<Outcome> poll(const std::string& ca, const std::string& request_id,
                              const std::string& token_serial,
                              const boost::json::object& token_info,
                              long long* retry_after = nullptr);

  // The CA connector and profile a request names (or the only ones), for a server-made key's
  // type before anything is issued: the profile's first allowed key type.
  std::string default_key_type(const std::string& ca, const std::string& profile);
  // The CA connector and profile a request names, with the only one filled in where it names
  // none; throws IssueError as issue does.
  std::pair<std::string, std::string> names_of(const std::string& ca, const std::string& profile);
  // The key types the profile allows (the first is its default).
  std::vector<std::string> key_types_of(const std::string& ca, const std::string& profile);
  // What the profile gives owner, for a server-made key's CSR: a CA that takes the subject or
  // names from the request (ACME, AD CS's "supply in the request") needs them there.
  // Throws IssueError.
  struct RequestNames {
    std::vector<std::pair<std::string, std::string>> subject;
    std::vector<std::string> emails, upns, dns_names;
    std::string ca_template;  // the profile's template, for AD CS's template name extension
  };
  RequestNames request_names_for(const std::string& ca, const std::string& profile,
                                 const db::UserRow& owner, const std::string& realm);
  std::string ca_certificate_pem(const std::string& ca) {
    return connectors_.ca_certificate_pem(ca);
  }

  // Revocations whose CA cannot be reached wait in this queue; set before serving (without
  // one, a failing CA call throws to the caller).
  void queue_revocations_in(RevocationQueue& queue) { revocations_ = &queue; }
  // Revokes the token's certificate at its CA, records it and signs a new CRL (where the CA
  // does not publish its own); when the CA fails, the revocation is retried from the queue and
  // the answer says so. For a request still pending at the CA it asks the CA to withdraw it.
  // Returns what happened for the audit log ("" when all went through). No-op for a token
  // without a certificate or a request.
  std::string revoke(const db::TokenRow& token, const std::string& reason);
  // Asks the CA to withdraw the token's request that it still holds (the token was revoked or
  // deleted); returns what happened, for the audit log, or empty when nothing was pending.
  std::string withdraw_pending(const db::TokenRow& token);
  // Revokes a certificate that CA connector ca issued for token_serial, through the queue when
  // there is one (so a CA that is down gets it later); returns what happened, for the audit log.
  std::string revoke_queued(const std::string& ca, const std::string& serial,
                            const std::string& token_serial, const std::string& reason);
  // Revokes a certificate that CA connector ca issued for token_serial; throws when it fails.
  // A CA whose protocol cannot revoke (it answers "revoke_at_ca") has it recorded here, listed
  // for its administrator and announced (on_revoke_at_ca); the note then says so.
  std::string revoke_issued(const std::string& ca, const std::string& serial,
                            const std::string& token_serial, const std::string& reason);
  // Told of each certificate that its CA's administrator must revoke by hand:
  // (token serial, CA, certificate serial, reason, the connector's message).
  using RevokeAtCa = std::function<void(const std::string&, const std::string&, const std::string&,
                                        const std::string&, const std::string&)>;
  void on_revoke_at_ca(RevokeAtCa hook) { revoke_at_ca_ = std::move(hook); }
  // The e-mail domains a realm allows in certificates (for profiles with
  // email_in_realm_domains); empty: none named.
  using EmailDomains = std::function<std::vector<std::string>(const std::string& realm)>;
  void email_domains_from(EmailDomains lookup) { email_domains_ = std::move(lookup); }

 private:
  // Checks the certificate (throws IssuedCertificateRefused) and records it.
  void record_issued(const std::string& ca, const std::string& token_serial,
                     const std::string& subject, const boost::json::object& answer,
                     const RequestedCertificate& requested, Outcome& outcome);
  // Throws IssueError when profile wants the owner's e-mail in the realm's domains and it is not.
  void check_email_domain(const CertificateProfile& profile, const db::UserRow& owner,
                          const std::string& realm) const;
  std::string cancel_request(const std::string& ca, const std::string& request_id,
                             const std::string& token_serial);
  std::pair<std::string, CertificateProfile> resolve(const std::string& ca,
                                                     const std::string& profile);

  CaConnectors& connectors_;
  RevokeAtCa revoke_at_ca_;
  EmailDomains email_domains_;
  RevocationQueue* revocations_ = nullptr;
  db::CertificateProfileRepository& profiles_;
  db::CertificateRepository& certificates_;
  std::string public_url_;
};

}  // namespace tessera::ca
