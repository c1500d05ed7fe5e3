// Certificate login: a TLS client certificate authenticates when it is exactly the certificate
// of a certificate token that is enrolled, active and unrevoked, and it has not expired: one
// that a CA connector issued here, or an existing certificate that an admin approved and that
// still leads to a trusted CA. Anything else is refused with the reason, for the audit log.
#pragma once

#include <optional>
#include <string>

#include "db/certificate_repository.hpp"
#include "db/token_repository.hpp"
#include "server/ca/trust_store.hpp"

namespace tessera::ca {

struct CertificateMatch {
  std::optional<db::TokenRow> token;  // set when the certificate authenticates
  std::string reason;                 // why not, otherwise
};

class CertificateLogin {
 public:
  CertificateLogin(db::CertificateRepository& certificates, db::TokenRepository& tokens,
                   const TrustStore& trusted_cas)
      : certificates_(certificates), tokens_(tokens), trusted_cas_(trusted_cas) {}

  CertificateMatch match(const std::string& presented_pem);

 private:
  db::CertificateRepository& certificates_;
  db::TokenRepository& tokens_;
  const TrustStore& trusted_cas_;
};

// The certificate table's "CA" for an existing certificate from a CA that is not a connector
// here: "external:" and a digest of its issuer's name, so that its serial is unique per issuer.
std::string external_ca_of(const std::string& certificate_pem);
inline bool is_external_ca(const std::string& ca) {
  return ca.rfind("external:", 0) == 0;
}

}  // namespace tessera::ca
