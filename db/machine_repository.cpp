#include "db/machine_repository.hpp"

#include <soci/soci.h>

#include "db/row_values.hpp"

namespace tessera::db {
namespace {

MachineTokenRow attachment_of(const soci::row& r) {
  return {integer_at(r, 0),      r.get<std::string>(1), r.get<std::string>(2),
          r.get<std::string>(3), r.get<std::string>(4), r.get<std::string>(5)};
}

constexpr const char* kAttachment =
    "SELECT id, serial, resolver, machine_id, application, options FROM machine_token";

}  // namespace

std::vector<MachineResolverRow> MachineRepository::resolvers() {
  return database_.with_session([&](soci::session& sql) {
    std::vector<MachineResolverRow> rows;
    soci::rowset<soci::row> found =
        (sql.prepare << "SELECT name, resolver_type, config FROM machine_resolver ORDER BY name");
    for (const auto& r : found)
      rows.push_back({r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2)});
    return rows;
  });
}

std::optional<MachineResolverRow> MachineRepository::resolver(const std::string& name) {
  for (auto& row : resolvers())
    if (row.name == name) return row;
  return std::nullopt;
}

void MachineRepository::save_resolver(const MachineResolverRow& row) {
  database_.write([&](soci::session& sql) {
    sql << "INSERT INTO machine_resolver (name, resolver_type, config) VALUES (:n, :t, :c) ON "
           "CONFLICT (name) DO UPDATE SET resolver_type = excluded.resolver_type, config = "
           "excluded.config",
        soci::use(row.name), soci::use(row.type), soci::use(row.config);
  });
}

bool MachineRepository::remove_resolver(const std::string& name, std::string& refusal) {
  return database_.in_transaction([&](soci::session& sql) {
    long long used = 0;
    sql << "SELECT COUNT(*) FROM machine_token WHERE resolver = :n", soci::use(name),
        soci::into(used);
    if (used > 0) {
      refusal = std::to_string(used) + " token attachments go through machine resolver '" + name +
                "': detach them first";
      return false;
    }
    soci::statement st =
        (sql.prepare << "DELETE FROM machine_resolver WHERE name = :n", soci::use(name));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

long long MachineRepository::attach(const MachineTokenRow& row) {
  return database_.write([&](soci::session& sql) {
    long long id = 0;
    sql << "INSERT INTO machine_token (serial, resolver, machine_id, application, options) VALUES "
           "(:s, :r, :m, :a, :o) RETURNING id",
        soci::use(row.serial), soci::use(row.resolver), soci::use(row.machine_id),
        soci::use(row.application), soci::use(row.options), soci::into(id);
    return id;
  });
}

std::vector<MachineTokenRow> MachineRepository::attached(const std::string& serial) {
  return database_.with_session([&](soci::session& sql) {
    std::vector<MachineTokenRow> rows;
    soci::rowset<soci::row> found =
        (sql.prepare << kAttachment << " WHERE :s1 = '' OR serial = :s2 ORDER BY serial, id",
         soci::use(serial), soci::use(serial));
    for (const auto& r : found) rows.push_back(attachment_of(r));
    return rows;
  });
}

std::optional<MachineTokenRow> MachineRepository::attachment(long long id) {
  return database_.with_session([&](soci::session& sql) -> std::optional<MachineTokenRow> {
    soci::rowset<soci::row> found = (sql.prepare << kAttachment << " WHERE id = :i", soci::use(id));
    for (const auto& r : found) return attachment_of(r);
    return std::nullopt;
  });
}

void MachineRepository::set_options(long long id, const std::string& options) {
  database_.write([&](soci::session& sql) {
    sql << "UPDATE machine_token SET options = :o WHERE id = :i", soci::use(options), soci::use(id);
  });
}

bool MachineRepository::detach(long long id) {
  return database_.write([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "DELETE FROM machine_token WHERE id = :i", soci::use(id));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

}  // namespace tessera::db
