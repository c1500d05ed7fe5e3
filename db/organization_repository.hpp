// Organizations (a realm's resolver, departments, delegated e-mail domains) and their persons,
// for enrollment forms. Persons are imported in bulk in one transaction: all rows or none.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace tessera::db {

struct OrganizationRow {
  std::string name;
  std::string realm, resolver;  // where persons who enroll become users
  std::vector<std::string> departments;
  std::vector<std::string> domains;  // lower case; "*.corp.example" takes its subdomains too
  long long version = 0;             // see db/row_version.hpp
};

struct PersonRow {
  std::string organization, email;
  std::string department, first_name, middle_name, last_name, common_name;
  std::string validation_type;  // "standard" or "high"
  std::string secret_id_hash;   // "" when none
  long long created_at = 0;
};

struct PersonPage {
  std::vector<PersonRow> persons;
  long long count = 0;
};

class OrganizationRepository {
 public:
  explicit OrganizationRepository(Database& database) : database_(database) {}

  std::vector<OrganizationRow> organizations();
  std::optional<OrganizationRow> organization(const std::string& name);
  // Insert or update; with expected_version, throws StaleVersion when it moved on.
  void save(const OrganizationRow& row, std::optional<long long> expected_version);
  // Refuses (returns a reason) while the organization has persons; "" when deleted; nullopt
  // when there is no such organization.
  std::optional<std::string> remove(const std::string& name);

  // False when the organization has a person with that address already.
  bool add_person(const PersonRow& row);
  // All of them in one transaction; false (and nothing stored) when one of the addresses is
  // taken meanwhile.
  bool add_persons(const std::vector<PersonRow>& rows);
  std::optional<PersonRow> person(const std::string& organization, const std::string& email);
  // Which of these addresses the organization has persons for.
  std::vector<std::string> existing_emails(const std::string& organization);
  // A page of the organization's persons, by e-mail address.
  PersonPage persons(const std::string& organization, int page, int page_size);
  bool remove_person(const std::string& organization, const std::string& email);

 private:
  Database& database_;
};

}  // namespace tessera::db
