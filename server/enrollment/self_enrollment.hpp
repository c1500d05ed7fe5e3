// The public side of enrollment forms (/enroll/<extension>/...): people without an account
// authenticate with a one-time link mailed to them or with their secret ID, pick an account of
// the form (by access code, or as one of its organization's persons), and get a certificate:
// a key made here as a PKCS#12, or their own CSR signed. A person who enrolls becomes a user of
// the organization's realm, so the certificate is a token like any other.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "db/auth_failure_repository.hpp"
#include "db/certificate_profile_repository.hpp"
#include "db/enrollment_form_repository.hpp"
#include "db/enrollment_session_repository.hpp"
#include "db/event_repository.hpp"
#include "db/identity_repository.hpp"
#include "db/organization_repository.hpp"
#include "server/ca/certificate_enrollment.hpp"
#include "server/plugins/configured_components.hpp"
#include "server/tokens/pin_hasher.hpp"
#include "server/tokens/token_enrollment.hpp"

namespace tessera::enrollment {

// What the person sees: the message for them; the audit log gets the reason.
class Refused : public std::runtime_error {
 public:
  Refused(int status, const std::string& message, std::string reason)
      : std::runtime_error(message), status_(status), reason_(std::move(reason)) {}
  int status() const { return status_; }
  const std::string& reason() const { return reason_; }

 private:
  int status_;
  std::string reason_;
};

struct Session {
  std::string token;  // shown to the person once
  db::EnrollmentSessionRow row;
};

struct CertificateRequest {
  std::string account, access_code;
  std::string profile;  // "<ca>/<profile>"
  int validity_days = 0;
  std::string key_type;
  std::string first_name, middle_name, last_name;
  std::string password, password_repeat;  // for a key made here
  std::string csr;                        // for a client account
  bool eula_accepted = false;
  int eula_version = 0;
};

class SelfEnrollment {
 public:
  struct Parts {
    db::EnrollmentFormRepository& forms;
    db::OrganizationRepository& organizations;
    db::EnrollmentSessionRepository& sessions;
    db::IdentityRepository& identities;
    db::EventRepository& events;
    db::AuthFailureRepository& attempts;  // rate limits per address and client
    db::CertificateProfileRepository& profiles;
    const tokens::PinHasher& secrets;  // persons' secret IDs, accounts' access codes
    plugins::ConfiguredComponents& notifiers;
    const tokens::TokenEnrollment& tokens;
    ca::CertificateEnrollment& certificates;
    ca::CertificateIssuer& issuer;
    db::TokenRepository& token_rows;
    std::string public_url;
  };
  explicit SelfEnrollment(Parts parts) : x_(std::move(parts)) {}

  // The enabled form at extension; Refused 404 otherwise.
  db::EnrollmentFormRow form(const std::string& extension) const;

  // E-mail confirmation: queues a one-time link for an address that may enroll here (in a
  // delegated domain of the form's organizations), through the outbox. Says nothing either way;
  // returns what happened, for the audit log.
  std::string request_link(const db::EnrollmentFormRow& form, const std::string& email,
                           const std::string& client) const;
  // The outbox's host action: makes the link's secret and mails it (throws when the mail fails).
  void send_link(const boost::json::object& request) const;
  static constexpr const char* kLinkAction = "@enrollment-link";

  Session open_with_link(const db::EnrollmentFormRow& form, const std::string& link,
                         const std::string& client) const;
  Session open_with_secret_id(const db::EnrollmentFormRow& form, const std::string& email,
                              const std::string& secret_id, const std::string& client) const;
  // The person's record in one of the form's organizations, for names prefilled on the page.
  std::optional<db::PersonRow> person(const db::EnrollmentFormRow& form,
                                      const std::string& email) const;
  // The session behind a token; Refused 401 when there is none (or it expired).
  db::EnrollmentSessionRow session(const db::EnrollmentFormRow& form,
                                   const std::string& token) const;

  // The accounts open to the session (with access_code: also those it opens), each with what
  // it offers.
  boost::json::array accounts(const db::EnrollmentFormRow& form,
                              const db::EnrollmentSessionRow& session,
                              const std::string& access_code, const std::string& client) const;

  // The person's own certificate tokens (of any of the form's organizations): serial, state,
  // revoked, and the certificate's serial and end where it has one.
  boost::json::array certificates(const db::EnrollmentFormRow& form,
                                  const db::EnrollmentSessionRow& session) const;
  // Revokes one of them (at its CA as well); Refused 404 for any other serial.
  void revoke(const db::EnrollmentFormRow& form, const db::EnrollmentSessionRow& session,
              const std::string& serial, const std::string& reason) const;

  // Enrolls the certificate; the answer's detail as /token/init gives it (certificate, pkcs12,
  // rollout_state, serial).
  boost::json::object enroll(const db::EnrollmentFormRow& form,
                             const db::EnrollmentSessionRow& session, const CertificateRequest& r,
                             const std::string& client) const;

 private:
  std::vector<db::OrganizationRow> organizations_of(const db::EnrollmentFormRow& form) const;
  std::vector<db::TokenRow> own_certificates(const db::EnrollmentFormRow& form,
                                             const db::EnrollmentSessionRow& session) const;
  // The account the session may use (access code checked, rate limited); Refused otherwise.
  db::EnrollmentAccountRow usable_account(const db::EnrollmentFormRow& form,
                                          const db::EnrollmentSessionRow& session,
                                          const std::string& name, const std::string& access_code,
                                          const std::string& client) const;
  bool may_use(const db::EnrollmentAccountRow& account, const db::EnrollmentSessionRow& session,
               const std::string& access_code) const;
  void limit(const std::string& what, const std::string& client, const std::string& message) const;

  Parts x_;
};

}  // namespace tessera::enrollment
