#include "db/crl_repository.hpp"

#include <limits>

#include <soci/soci.h>

namespace tessera::db {

std::optional<StoredCrl> CrlRepository::current(const std::string& ca) {
  return database_.with_session([&](soci::session& sql) -> std::optional<StoredCrl> {
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT crl_number, next_update, der, revocations, included FROM ca_crl "
                        "WHERE ca = :c",
         soci::use(ca));
    for (const auto& r : rows)
      return StoredCrl{r.get<long long>(0), r.get<long long>(1), r.get<std::string>(2),
                       r.get<long long>(3), r.get<long long>(4)};
    return std::nullopt;
  });
}

std::vector<RevokedCertificate> CrlRepository::revoked(const std::string& ca,
                                                       std::optional<long long> valid_at) {
  const long long since = valid_at.value_or(std::numeric_limits<long long>::min());
  return database_.with_session([&](soci::session& sql) {
    std::vector<RevokedCertificate> result;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT serial, revoked_at, revocation_reason FROM certificate WHERE ca = "
                        ":c AND revoked = 1 AND not_after >= :t ORDER BY serial",
         soci::use(ca), soci::use(since));
    for (const auto& r : rows)
      result.push_back({r.get<std::string>(0), r.get<long long>(1), r.get<std::string>(2)});
    return result;
  });
}

bool CrlRepository::replace(const std::string& ca, const StoredCrl& crl) {
  const long long previous = crl.crl_number - 1;
  return database_.write([&](soci::session& sql) {
    if (crl.crl_number == 1) {
      soci::statement st =
          (sql.prepare << "INSERT INTO ca_crl (ca, crl_number, next_update, der, included) VALUES "
                          "(:c, :n, :u, :d, :i) ON CONFLICT (ca) DO NOTHING",
           soci::use(ca), soci::use(crl.crl_number), soci::use(crl.next_update),
           soci::use(crl.der_base64), soci::use(crl.included));
      st.execute(true);
      return st.get_affected_rows() == 1;
    }
    soci::statement st =
        (sql.prepare << "UPDATE ca_crl SET crl_number = :n, next_update = :u, der = :d, included = "
                        ":i WHERE ca = :c AND crl_number = :p",
         soci::use(crl.crl_number), soci::use(crl.next_update), soci::use(crl.der_base64),
         soci::use(crl.included), soci::use(ca), soci::use(previous));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

}  // namespace tessera::db
