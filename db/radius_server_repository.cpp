#include "db/radius_server_repository.hpp"

#include <soci/soci.h>

#include "db/row_values.hpp"

namespace tessera::db {
namespace {

constexpr const char* kColumns =
    "name, host, port, sealed_secret, timeout_seconds, retries, description";

RadiusServerRow from_row(const soci::row& r) {
  return {r.get<std::string>(0),
          r.get<std::string>(1),
          static_cast<int>(integer_at(r, 2)),
          r.get<std::string>(3),
          static_cast<int>(integer_at(r, 4)),
          static_cast<int>(integer_at(r, 5)),
          r.get<std::string>(6)};
}

}  // namespace

std::vector<RadiusServerRow> RadiusServerRepository::all() {
  return database_.with_session([&](soci::session& sql) {
    std::vector<RadiusServerRow> rows;
    soci::rowset<soci::row> found =
        (sql.prepare << "SELECT " << kColumns << " FROM radius_server ORDER BY name");
    for (const auto& r : found) rows.push_back(from_row(r));
    return rows;
  });
}

std::optional<RadiusServerRow> RadiusServerRepository::find(const std::string& name) {
  return database_.with_session([&](soci::session& sql) -> std::optional<RadiusServerRow> {
    soci::rowset<soci::row> found =
        (sql.prepare << "SELECT " << kColumns << " FROM radius_server WHERE name = :n",
         soci::use(name));
    for (const auto& r : found) return from_row(r);
    return std::nullopt;
  });
}

void RadiusServerRepository::save(const RadiusServerRow& row) {
  database_.write([&](soci::session& sql) {
    sql << "INSERT INTO radius_server (name, host, port, sealed_secret, timeout_seconds, "
           "retries, description) VALUES (:n, :h, :p, :s, :t, :r, :d) ON CONFLICT (name) DO "
           "UPDATE SET host = excluded.host, port = excluded.port, sealed_secret = "
           "excluded.sealed_secret, timeout_seconds = excluded.timeout_seconds, retries = "
           "excluded.retries, description = excluded.description",
        soci::use(row.name), soci::use(row.host), soci::use(row.port), soci::use(row.sealed_secret),
        soci::use(row.timeout_seconds), soci::use(row.retries), soci::use(row.description);
  });
}

bool RadiusServerRepository::remove(const std::string& name) {
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "DELETE FROM radius_server WHERE name = :n", soci::use(name));
    st.execute(true);
    return st.get_affected_rows() > 0;
  });
}

}  // namespace tessera::db
