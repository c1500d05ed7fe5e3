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
};

class PolicyRepository {
 public:
  explicit PolicyRepository(Database& database) : database_(database) {}

  std::vector<PolicyRow> all();
  void save(const PolicyRow& row);  // insert or replace
  bool remove(const std::string& name);
  // False when there is no such policy.
  bool set_active(const std::string& name, bool active);

 private:
  Database& database_;
};

}  // namespace tessera::db
