// Each CA's current CRL and the revocations it lists. A new CRL replaces the stored one only
// if its number is the next one, so two nodes renewing at once keep one sequence of numbers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace tessera::db {

struct StoredCrl {
  long long crl_number = 0;
  long long next_update = 0;
  std::string der_base64;
  // Revocations counted at this CA so far, and how many of them this CRL was built from: more
  // counted than included means a revocation is waiting for the next CRL.
  long long revocations = 0;
  long long included = 0;
  bool stale() const { return revocations > included; }
};

struct RevokedCertificate {
  std::string serial;
  long long revoked_at = 0;
  std::string reason;
};

class CrlRepository {
 public:
  explicit CrlRepository(Database& database) : database_(database) {}

  std::optional<StoredCrl> current(const std::string& ca);
  // Every revocation recorded at this CA; with valid_at, only those of certificates that have
  // not expired by then (a CRL may drop a certificate once it has expired: RFC 5280, 3.3).
  std::vector<RevokedCertificate> revoked(const std::string& ca,
                                          std::optional<long long> valid_at = std::nullopt);
  // Stores crl (its der, number, next_update and included) if the stored one still has number
  // crl.crl_number - 1 (or none is stored for number 1); false when another node got there
  // first.
  bool replace(const std::string& ca, const StoredCrl& crl);

 private:
  Database& database_;
};

}  // namespace tessera::db
