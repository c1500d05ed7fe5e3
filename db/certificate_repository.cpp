#include "db/certificate_repository.hpp"

#include <soci/soci.h>

namespace tessera::db {

void CertificateRepository::insert(const CertificateRow& row) {
  database_.write([&](soci::session& sql) {
    sql << "INSERT INTO certificate (ca, serial, token_serial, subject, not_after, pem, revoked, "
           "revoked_at, revocation_reason) VALUES (:c, :s, :t, :sub, :na, :p, 0, 0, '')",
        soci::use(row.ca), soci::use(row.serial), soci::use(row.token_serial),
        soci::use(row.subject), soci::use(row.not_after), soci::use(row.pem);
  });
}

bool CertificateRepository::revoke(const std::string& ca, const std::string& serial,
                                   const std::string& reason, long long time) {
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "UPDATE certificate SET revoked = 1, revoked_at = :t, revocation_reason "
                        "= :r WHERE ca = :c AND serial = :s AND revoked = 0",
         soci::use(time), soci::use(reason), soci::use(ca), soci::use(serial));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

}  // namespace tessera::db
