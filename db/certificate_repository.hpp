// Certificates that CA connectors issued for tokens, and their revocation (which the CA's CRL
// lists: db/crl_repository.hpp reads the same rows).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <soci/session.h>

#include "db/database.hpp"

namespace tessera::db {

struct CertificateRow {
  std::string ca;
  std::string serial;  // hex, as the CA reports it
  std::string token_serial;
  std::string subject;
  long long not_after = 0;
  std::string pem;
  bool revoked = false;
};

class CertificateRepository {
 public:
  explicit CertificateRepository(Database& database) : database_(database) {}

  // The insert inside the caller's transaction (an import); false as for insert.
  static bool insert_in(soci::session& sql, const CertificateRow& row);
  // False when the CA already has a certificate with this serial here.
  bool insert(const CertificateRow& row);
  // Gives an unrevoked certificate from token `from` (denied, or "" once deleted) to token `to`;
  // false when it changed meanwhile.
  bool reassign(const std::string& ca, const std::string& serial, const std::string& from,
                const std::string& to);
  // Unrevoked certificates of enrolled, active tokens that end between now and `until` and
  // whose expiry was not announced yet, soonest first.
  std::vector<CertificateRow> expiring_unannounced(long long now, long long until, int limit);
  // Marks the expiry announced, once across nodes, and runs record in the same transaction (the
  // event); false when another node announced it first.
  bool announce_expiry(const std::string& ca, const std::string& serial, long long now,
                       const std::function<void(soci::session&)>& record);
  // Every certificate with this serial, at any CA (compare the certificate itself to tell them
  // apart).
  std::vector<CertificateRow> with_serial(const std::string& serial);
  // Marks it revoked once, if it belongs to token_serial; false when it was already, is
  // unknown or another token's.
  bool revoke(const std::string& ca, const std::string& serial, const std::string& token_serial,
              const std::string& reason, long long time);

 private:
  Database& database_;
};

}  // namespace tessera::db
