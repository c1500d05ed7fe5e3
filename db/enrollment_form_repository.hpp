// Enrollment forms and their accounts (see migration 0014).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace tessera::db {

struct EnrollmentFormRow {
  std::string name, extension;
  std::vector<std::string> auth_types;  // "email", "secret_id"
  std::string notifier;                 // the notification action that mails links
  std::string help_text;
  std::vector<std::string> help_links;
  std::string eula;
  int eula_version = 1;  // moves on whenever the text changes
  bool enabled = true;
  long long version = 0;
};

struct ProfileChoice {
  std::string ca, profile;
};

struct EnrollmentAccountRow {
  std::string form, name, organization, department;
  std::vector<ProfileChoice> profiles;
  std::string csr_method = "server";  // or "client"
  bool allow_empty_password = false;
  std::string authorization_method = "access_code";  // or "none"
  std::string access_code_hash;
  long long version = 0;
};

class EnrollmentFormRepository {
 public:
  explicit EnrollmentFormRepository(Database& database) : database_(database) {}

  std::vector<EnrollmentFormRow> forms();
  std::optional<EnrollmentFormRow> form(const std::string& name);
  std::optional<EnrollmentFormRow> form_at(const std::string& extension);
  // Insert or update (the extension of a new form is row.extension; an update keeps the old
  // one; the EULA's version moves on when its text changed); StaleVersion as elsewhere.
  void save(const EnrollmentFormRow& row, std::optional<long long> expected_version);
  bool set_extension(const std::string& name, const std::string& extension);
  bool remove(const std::string& name);  // with its accounts

  std::vector<EnrollmentAccountRow> accounts(const std::string& form);
  std::optional<EnrollmentAccountRow> account(const std::string& form, const std::string& name);
  // Insert or update; an empty access_code_hash keeps the stored one.
  void save_account(const EnrollmentAccountRow& row, std::optional<long long> expected_version);
  bool remove_account(const std::string& form, const std::string& name);

 private:
  Database& database_;
};

}  // namespace tessera::db
