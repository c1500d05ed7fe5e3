#include "db/component_config_repository.hpp"

#include <soci/soci.h>

namespace tessera::db {
namespace {

ComponentConfigRow row_of(const soci::row& r) {
  return {r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2),
          r.get<std::string>(3), r.get<long long>(4)};
}

}  // namespace

bool ComponentConfigRepository::insert(const ComponentConfigRow& row) {
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "INSERT INTO component_config (kind, name, type_id, config, created_at) "
                        "VALUES (:k, :n, :t, :c, :a) ON CONFLICT (kind, name) DO NOTHING",
         soci::use(row.kind), soci::use(row.name), soci::use(row.type_id),
         soci::use(row.sealed_config), soci::use(row.created_at));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

bool ComponentConfigRepository::replace(const ComponentConfigRow& row,
                                        long long expected_created_at) {
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "UPDATE component_config SET config = :c, created_at = :a WHERE kind = :k "
                        "AND name = :n AND created_at = :e",
         soci::use(row.sealed_config), soci::use(row.created_at), soci::use(row.kind),
         soci::use(row.name), soci::use(expected_created_at));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

std::optional<ComponentConfigRow> ComponentConfigRepository::find(const std::string& kind,
                                                                  const std::string& name) {
  return database_.with_session([&](soci::session& sql) -> std::optional<ComponentConfigRow> {
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT kind, name, type_id, config, created_at FROM component_config "
                        "WHERE kind = :k AND name = :n",
         soci::use(kind), soci::use(name));
    for (const auto& r : rows) return row_of(r);
    return std::nullopt;
  });
}

std::vector<ComponentConfigRow> ComponentConfigRepository::list(const std::string& kind) {
  return database_.with_session([&](soci::session& sql) {
    std::vector<ComponentConfigRow> result;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT kind, name, type_id, config, created_at FROM component_config "
                        "WHERE kind = :k ORDER BY name",
         soci::use(kind));
    for (const auto& r : rows) result.push_back(row_of(r));
    return result;
  });
}

bool ComponentConfigRepository::remove(const std::string& kind, const std::string& name) {
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "DELETE FROM component_config WHERE kind = :k AND name = :n",
         soci::use(kind), soci::use(name));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

}  // namespace tessera::db
