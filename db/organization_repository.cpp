#include "db/organization_repository.hpp"

#include <soci/soci.h>

#include "db/json_column.hpp"
#include "db/row_version.hpp"

namespace tessera::db {
namespace {

OrganizationRow organization_of(const soci::row& r) {
  return {r.get<std::string>(0),
          r.get<std::string>(1),
          r.get<std::string>(2),
          from_json_column(r.get<std::string>(3)),
          from_json_column(r.get<std::string>(4)),
          r.get<long long>(5)};
}

constexpr const char* kOrganizationColumns =
    "SELECT name, realm, resolver, departments, domains, version FROM organization";
constexpr const char* kPersonColumns =
    "SELECT organization, email, department, first_name, middle_name, last_name, common_name, "
    "validation_type, secret_id_hash, created_at FROM person";

PersonRow person_of(const soci::row& r) {
  PersonRow p;
  p.organization = r.get<std::string>(0);
  p.email = r.get<std::string>(1);
  p.department = r.get<std::string>(2);
  p.first_name = r.get<std::string>(3);
  p.middle_name = r.get<std::string>(4);
  p.last_name = r.get<std::string>(5);
  p.common_name = r.get<std::string>(6);
  p.validation_type = r.get<std::string>(7);
  p.secret_id_hash = r.get<std::string>(8);
  p.created_at = r.get<long long>(9);
  return p;
}

void insert_person(soci::session& sql, const PersonRow& p) {
  sql << "INSERT INTO person (organization, email, department, first_name, middle_name, "
         "last_name, common_name, validation_type, secret_id_hash, created_at) VALUES (:o, :e, "
         ":d, :f, :m, :l, :c, :v, :s, :t)",
      soci::use(p.organization), soci::use(p.email), soci::use(p.department),
      soci::use(p.first_name), soci::use(p.middle_name), soci::use(p.last_name),
      soci::use(p.common_name), soci::use(p.validation_type), soci::use(p.secret_id_hash),
      soci::use(p.created_at);
}

}  // namespace

std::vector<OrganizationRow> OrganizationRepository::organizations() {
  return database_.with_session([&](soci::session& sql) {
    std::vector<OrganizationRow> rows;
    soci::rowset<soci::row> rs = (sql.prepare << kOrganizationColumns << " ORDER BY name");
    for (const auto& r : rs) rows.push_back(organization_of(r));
    return rows;
  });
}

std::optional<OrganizationRow> OrganizationRepository::organization(const std::string& name) {
  return database_.with_session([&](soci::session& sql) -> std::optional<OrganizationRow> {
    soci::rowset<soci::row> rs =
        (sql.prepare << kOrganizationColumns << " WHERE name = :n", soci::use(name));
    for (const auto& r : rs) return organization_of(r);
    return std::nullopt;
  });
}

void OrganizationRepository::save(const OrganizationRow& row,
                                  std::optional<long long> expected_version) {
  const auto departments = to_json_column(row.departments);
  const auto domains = to_json_column(row.domains);
  database_.in_transaction([&](soci::session& sql) {
    sql << "INSERT INTO organization (name, realm, resolver, departments, domains) VALUES (:n, "
           ":r, :s, :d, :m) ON CONFLICT (name) DO UPDATE SET realm = :r, resolver = :s, "
           "departments = :d, domains = :m, version = organization.version + 1",
        soci::use(row.name, "n"), soci::use(row.realm, "r"), soci::use(row.resolver, "s"),
        soci::use(departments, "d"), soci::use(domains, "m");
    long long version = 0;
    sql << "SELECT version FROM organization WHERE name = :n", soci::use(row.name),
        soci::into(version);
    require_version(version, expected_version, "organization '" + row.name + "'");
  });
}

std::optional<std::string> OrganizationRepository::remove(const std::string& name) {
  return database_.in_transaction([&](soci::session& sql) -> std::optional<std::string> {
    long long persons = 0;
    sql << "SELECT COUNT(*) FROM person WHERE organization = :n", soci::use(name),
        soci::into(persons);
    if (persons > 0)
      return "organization '" + name + "' has " + std::to_string(persons) +
             " person(s): delete them first";
    soci::statement st =
        (sql.prepare << "DELETE FROM organization WHERE name = :n", soci::use(name));
    st.execute(true);
    if (st.get_affected_rows() == 0) return std::nullopt;
    return std::string();
  });
}

bool OrganizationRepository::add_person(const PersonRow& row) {
  return database_.write([&](soci::session& sql) {
    int taken = 0;
    sql << "SELECT COUNT(*) FROM person WHERE organization = :o AND email = :e",
        soci::use(row.organization), soci::use(row.email), soci::into(taken);
    if (taken > 0) return false;
    insert_person(sql, row);
    return true;
  });
}

bool OrganizationRepository::add_persons(const std::vector<PersonRow>& rows) {
  try {
    database_.in_transaction([&](soci::session& sql) {
      for (const auto& row : rows) insert_person(sql, row);
    });
    return true;
  } catch (const soci::soci_error&) {
    return false;  // an address taken meanwhile: the transaction rolled back
  }
}

std::optional<PersonRow> OrganizationRepository::person(const std::string& organization,
                                                        const std::string& email) {
  return database_.with_session([&](soci::session& sql) -> std::optional<PersonRow> {
    soci::rowset<soci::row> rs =
        (sql.prepare << kPersonColumns << " WHERE organization = :o AND email = :e",
         soci::use(organization), soci::use(email));
    for (const auto& r : rs) return person_of(r);
    return std::nullopt;
  });
}

std::vector<std::string> OrganizationRepository::existing_emails(const std::string& organization) {
  return database_.with_session([&](soci::session& sql) {
    std::vector<std::string> emails;
    soci::rowset<std::string> rs =
        (sql.prepare << "SELECT email FROM person WHERE organization = :o",
         soci::use(organization));
    for (const auto& e : rs) emails.push_back(e);
    return emails;
  });
}

PersonPage OrganizationRepository::persons(const std::string& organization, int page,
                                           int page_size) {
  return database_.with_session([&](soci::session& sql) {
    PersonPage result;
    sql << "SELECT COUNT(*) FROM person WHERE organization = :o", soci::use(organization),
        soci::into(result.count);
    const long long limit = page_size, offset = static_cast<long long>(page - 1) * page_size;
    soci::rowset<soci::row> rs =
        (sql.prepare << kPersonColumns
                     << " WHERE organization = :o ORDER BY email LIMIT :l OFFSET :f",
         soci::use(organization), soci::use(limit), soci::use(offset));
    for (const auto& r : rs) result.persons.push_back(person_of(r));
    return result;
  });
}

bool OrganizationRepository::remove_person(const std::string& organization,
                                           const std::string& email) {
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "DELETE FROM person WHERE organization = :o AND email = :e",
         soci::use(organization), soci::use(email));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

}  // namespace tessera::db
