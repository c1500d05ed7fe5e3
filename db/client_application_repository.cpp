#include "db/client_application_repository.hpp"

#include <soci/soci.h>

namespace tessera::db {

void ClientApplicationRepository::record(const std::vector<ClientApplicationRow>& seen) {
  if (seen.empty()) return;
  database_.in_transaction([&](soci::session& sql) {
    for (const auto& row : seen)
      sql << "INSERT INTO client_application (ip, client_type, node, last_seen) VALUES (:i, :t, "
             ":n, :l) ON CONFLICT (ip, client_type, node) DO UPDATE SET last_seen = "
             "excluded.last_seen WHERE client_application.last_seen < excluded.last_seen",
          soci::use(row.ip), soci::use(row.client_type), soci::use(row.node),
          soci::use(row.last_seen);
  });
}

std::vector<ClientApplicationRow> ClientApplicationRepository::all() {
  return database_.with_session([&](soci::session& sql) {
    std::vector<ClientApplicationRow> rows;
    soci::rowset<soci::row> found =
        (sql.prepare << "SELECT ip, client_type, node, last_seen FROM client_application ORDER "
                        "BY client_type, ip LIMIT 10000");
    for (const auto& r : found)
      rows.push_back({r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2),
                      r.get<long long>(3)});
    return rows;
  });
}

}  // namespace tessera::db
