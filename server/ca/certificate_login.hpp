// Certificate login: a TLS client certificate authenticates when it is exactly a certificate
// that one of our CAs issued for a certificate token that is enrolled, active and unrevoked,
// and it has not expired. Anything else is refused with the reason, for the audit log.
#pragma once

#include <optional>
#include <string>

#include "db/database.hpp"
#include "db/token_repository.hpp"

namespace tessera::ca {

struct CertificateMatch {
  std::optional<db::TokenRow> token;  // set when the certificate authenticates
  std::string reason;                 // why not, otherwise
};

class CertificateLogin {
 public:
  CertificateLogin(db::Database& database, db::TokenRepository& tokens)
      : database_(database), tokens_(tokens) {}

  CertificateMatch match(const std::string& presented_pem);

 private:
  db::Database& database_;
  db::TokenRepository& tokens_;
};

}  // namespace tessera::ca
