// Stored policies; lists (actions, realms, users...) are kept as the comma-separated text that
// admins write, and parsed by the policy engine.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace tessera::db {

struct PolicyRow {
  std::string name;
  std::string scope;
  std::string actions;
  std::string realms, resolvers, users, admins, clients;
  bool active = true;
  int priority = 1;
  long long version = 0;  // see db/row_version.hpp
};

class PolicyRepository {
 public:
  explicit PolicyRepository(Database& database) : database_(database) {}

  std::vector<PolicyRow> all();
  // Insert or replace; with expected_version, throws StaleVersion when the policy moved on.
  void save(const PolicyRow& row, std::optional<long long> expected_version = std::nullopt);
  bool remove(const std::string& name);
  // Inside the caller's transaction (an import): only when no policy has that name (false: the
  // one there is left as it is).
  static bool add_in(soci::session& sql, const PolicyRow& row);
  // False when there is no such policy.
  bool set_active(const std::string& name, bool active);

 private:
  Database& database_;
};

}  // namespace tessera::db
