#include "db/described_names.hpp"

#include <soci/soci.h>

namespace tessera::db {

std::vector<std::pair<std::string, std::string>> DescribedNames::list(const std::string& name) {
  return database_.with_session([&](soci::session& sql) {
    std::vector<std::pair<std::string, std::string>> found;
    soci::rowset<soci::row> rows = (sql.prepare << "SELECT name, description FROM " << table_
                                                << " WHERE :n1 = '' OR name = :n2 ORDER BY name",
                                    soci::use(name), soci::use(name));
    for (const auto& r : rows) found.emplace_back(r.get<std::string>(0), r.get<std::string>(1));
    return found;
  });
}

void DescribedNames::save(const std::string& name, const std::string& description) {
  database_.write([&](soci::session& sql) {
    sql << "INSERT INTO " << table_
        << " (name, description) VALUES (:n, :d) ON CONFLICT (name) DO UPDATE SET description = "
           "excluded.description",
        soci::use(name), soci::use(description);
  });
}

bool DescribedNames::remove(const std::string& name) {
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "DELETE FROM " << table_ << " WHERE name = :n", soci::use(name));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

std::vector<std::string> TokenGroups::of(const std::string& serial) {
  return database_.with_session([&](soci::session& sql) {
    std::vector<std::string> groups;
    soci::rowset<std::string> rows =
        (sql.prepare << "SELECT tokengroup FROM token_tokengroup WHERE serial = :s ORDER BY "
                        "tokengroup",
         soci::use(serial));
    for (const auto& g : rows) groups.push_back(g);
    return groups;
  });
}

namespace {

bool group_exists(soci::session& sql, const std::string& group) {
  long long n = 0;
  sql << "SELECT COUNT(*) FROM tokengroup WHERE name = :g", soci::use(group), soci::into(n);
  return n == 1;
}

}  // namespace

bool TokenGroups::add(const std::string& serial, const std::string& group) {
  return database_.in_transaction([&](soci::session& sql) {
    if (!group_exists(sql, group)) return false;
    sql << "INSERT INTO token_tokengroup (serial, tokengroup) VALUES (:s, :g) ON CONFLICT "
           "(serial, tokengroup) DO NOTHING",
        soci::use(serial), soci::use(group);
    return true;
  });
}

std::optional<std::string> TokenGroups::set(const std::string& serial,
                                            const std::vector<std::string>& groups) {
  return database_.in_transaction([&](soci::session& sql) -> std::optional<std::string> {
    for (const auto& group : groups)
      if (!group_exists(sql, group)) return group;
    sql << "DELETE FROM token_tokengroup WHERE serial = :s", soci::use(serial);
    for (const auto& group : groups)
      sql << "INSERT INTO token_tokengroup (serial, tokengroup) VALUES (:s, :g) ON CONFLICT "
             "(serial, tokengroup) DO NOTHING",
          soci::use(serial), soci::use(group);
    return std::nullopt;
  });
}

bool TokenGroups::remove(const std::string& serial, const std::string& group) {
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "DELETE FROM token_tokengroup WHERE serial = :s AND tokengroup = :g",
         soci::use(serial), soci::use(group));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

long long TokenGroups::members(const std::string& group) {
  return database_.with_session([&](soci::session& sql) {
    long long n = 0;
    sql << "SELECT COUNT(*) FROM token_tokengroup WHERE tokengroup = :g", soci::use(group),
        soci::into(n);
    return n;
  });
}

}  // namespace tessera::db
