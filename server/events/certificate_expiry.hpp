// Announces certificates that end soon: a background job finds unrevoked certificates of
// enrolled tokens that expire within expiry_warning_days and records one certificate_expiring
// event for each, once across all nodes.
#pragma once

#include "db/certificate_repository.hpp"
#include "db/token_repository.hpp"

namespace tessera::events {

class CertificateExpiry {
 public:
  CertificateExpiry(db::CertificateRepository& certificates, db::TokenRepository& tokens,
                    int warning_days)
      : certificates_(certificates), tokens_(tokens), warning_days_(warning_days) {}

  // Returns how many certificates it announced.
  int run_once();

 private:
  db::CertificateRepository& certificates_;
  db::TokenRepository& tokens_;
  int warning_days_;
};

}  // namespace tessera::events
