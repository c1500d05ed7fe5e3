// Administrator accounts: user name and Argon2id password hash.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace tessera::db {

class AdminRepository {
 public:
  explicit AdminRepository(Database& database) : database_(database) {}

  // Adds an account; returns false if the name is taken (nothing changes then).
  bool add(const std::string& username, const std::string& password_hash);
  std::optional<std::string> password_hash(const std::string& username);
  std::vector<std::string> usernames();
  // Both return false when there is no such admin.
  bool set_password_hash(const std::string& username, const std::string& password_hash);
  bool remove(const std::string& username);
  // The admin's e-mail address (for event mails); empty when none is set or no such admin.
  std::string email(const std::string& username);
  bool set_email(const std::string& username, const std::string& email);

 private:
  Database& database_;
};

}  // namespace tessera::db
