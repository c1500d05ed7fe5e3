// A table of names with descriptions (eduMFA's token groups and service IDs), and which tokens
// are in which token group.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/database.hpp"

namespace tessera::db {

class DescribedNames {
 public:
  // table: "tokengroup" or "serviceid" (a fixed name from the code, never from a request).
  DescribedNames(Database& database, const char* table) : database_(database), table_(table) {}

  // All of them by name, or the one named.
  std::vector<std::pair<std::string, std::string>> list(const std::string& name = "");
  // Creates it or changes its description.
  void save(const std::string& name, const std::string& description);
  bool remove(const std::string& name);

 private:
  Database& database_;
  const char* table_;
};

class TokenGroups {
 public:
  explicit TokenGroups(Database& database) : database_(database) {}

  std::vector<std::string> of(const std::string& serial);
  // Adds serial to group; false when the group does not exist.
  bool add(const std::string& serial, const std::string& group);
  // Makes serial a member of exactly these groups; the name of a missing one, or nullopt.
  std::optional<std::string> set(const std::string& serial, const std::vector<std::string>& groups);
  bool remove(const std::string& serial, const std::string& group);
  long long members(const std::string& group);

 private:
  Database& database_;
};

}  // namespace tessera::db
