#include "db/certificate_repository.hpp"

#include <soci/soci.h>

namespace tessera::db {

bool CertificateRepository::insert_in(soci::session& sql, const CertificateRow& row) {
  int revoked = row.revoked ? 1 : 0;
  soci::statement st =
      (sql.prepare << "INSERT INTO certificate (ca, serial, token_serial, subject, not_after, "
                      "pem, revoked, revoked_at, revocation_reason) VALUES (:c, :s, :t, :sub, "
                      ":na, :p, :r, 0, '') ON CONFLICT (ca, serial) DO NOTHING",
       soci::use(row.ca), soci::use(row.serial), soci::use(row.token_serial),
       soci::use(row.subject), soci::use(row.not_after), soci::use(row.pem), soci::use(revoked));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

bool CertificateRepository::insert(const CertificateRow& row) {
  return database_.write([&](soci::session& sql) { return insert_in(sql, row); });
}

bool CertificateRepository::reassign(const std::string& ca, const std::string& serial,
                                     const std::string& from, const std::string& to) {
  return database_.write([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "UPDATE certificate SET token_serial = :t WHERE ca = :c "
                                         "AND serial = :s AND token_serial = :f AND revoked = 0",
                          soci::use(to), soci::use(ca), soci::use(serial), soci::use(from));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

std::vector<CertificateRow> CertificateRepository::expiring_unannounced(long long now,
                                                                        long long until,
                                                                        int limit) {
  return database_.with_session([&](soci::session& sql) {
    std::vector<CertificateRow> result;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT c.ca, c.serial, c.token_serial, c.subject, c.not_after, c.pem FROM "
                        "certificate c JOIN token t ON t.serial = c.token_serial WHERE c.revoked "
                        "= 0 AND c.expiry_announced = 0 AND t.rollout_state = 'enrolled' AND "
                        "t.active = 1 AND c.not_after > :now AND c.not_after < :until ORDER BY "
                        "c.not_after LIMIT :l",
         soci::use(now), soci::use(until), soci::use(limit));
    for (const auto& r : rows)
      result.push_back(CertificateRow{r.get<std::string>(0), r.get<std::string>(1),
                                      r.get<std::string>(2), r.get<std::string>(3),
                                      r.get<long long>(4), r.get<std::string>(5), false});
    return result;
  });
}

bool CertificateRepository::announce_expiry(const std::string& ca, const std::string& serial,
                                            long long now,
                                            const std::function<void(soci::session&)>& record) {
  return database_.in_transaction([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "UPDATE certificate SET expiry_announced = :t WHERE ca = :c AND serial = "
                        ":s AND expiry_announced = 0",
         soci::use(now), soci::use(ca), soci::use(serial));
    st.execute(true);
    if (st.get_affected_rows() != 1) return false;
    record(sql);
    return true;
  });
}

std::vector<CertificateRow> CertificateRepository::with_serial(const std::string& serial) {
  return database_.with_session([&](soci::session& sql) {
    std::vector<CertificateRow> result;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT ca, token_serial, subject, not_after, pem, revoked FROM "
                        "certificate WHERE serial = :s",
         soci::use(serial));
    for (const auto& r : rows)
      result.push_back(CertificateRow{r.get<std::string>(0), serial, r.get<std::string>(1),
                                      r.get<std::string>(2), r.get<long long>(3),
                                      r.get<std::string>(4), r.get<int>(5) != 0});
    return result;
  });
}

bool CertificateRepository::revoke(const std::string& ca, const std::string& serial,
                                   const std::string& token_serial, const std::string& reason,
                                   long long time) {
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare
             << "UPDATE certificate SET revoked = 1, revoked_at = :t, revocation_reason "
                "= :r WHERE ca = :c AND serial = :s AND token_serial = :tok AND revoked = 0",
         soci::use(time), soci::use(reason), soci::use(ca), soci::use(serial),
         soci::use(token_serial));
    st.execute(true);
    if (st.get_affected_rows() != 1) return false;
    // Counted in the same transaction, so the CRL's next reader sees that it is stale.
    sql << "UPDATE ca_crl SET revocations = revocations + 1 WHERE ca = :c", soci::use(ca);
    return true;
  });
}

}  // namespace tessera::db
