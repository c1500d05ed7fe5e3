#include "db/certificate_profile_repository.hpp"

#include <soci/soci.h>

namespace tessera::db {

void CertificateProfileRepository::save(const std::string& ca, const std::string& name,
                                        const std::string& config) {
  database_.write([&](soci::session& sql) {
    sql << "INSERT INTO certificate_profile (ca, name, config) VALUES (:c, :n, :j) ON CONFLICT "
           "(ca, name) DO UPDATE SET config = excluded.config",
        soci::use(ca), soci::use(name), soci::use(config);
  });
}

std::map<std::string, std::string> CertificateProfileRepository::of(const std::string& ca) {
  return database_.with_session([&](soci::session& sql) {
    std::map<std::string, std::string> result;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT name, config FROM certificate_profile WHERE ca = :c",
         soci::use(ca));
    for (const auto& r : rows) result[r.get<std::string>(0)] = r.get<std::string>(1);
    return result;
  });
}

bool CertificateProfileRepository::remove(const std::string& ca, const std::string& name) {
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "DELETE FROM certificate_profile WHERE ca = :c AND name = :n",
         soci::use(ca), soci::use(name));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

long long CertificateProfileRepository::remove_all(const std::string& ca) {
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "DELETE FROM certificate_profile WHERE ca = :c", soci::use(ca));
    st.execute(true);
    return static_cast<long long>(st.get_affected_rows());
  });
}

}  // namespace tessera::db
