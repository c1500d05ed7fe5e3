// Configured instances of plugin components (CA connectors now; notification actions next).
// The configuration is stored sealed, bound to its kind and name: it may hold secrets.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace tessera::db {

struct ComponentConfigRow {
  std::string kind;  // "ca_connector", ...
  std::string name;
  std::string type_id;
  std::string sealed_config;
  long long created_at = 0;
};

class ComponentConfigRepository {
 public:
  explicit ComponentConfigRepository(Database& database) : database_(database) {}

  // False when kind/name exists.
  bool insert(const ComponentConfigRow& row);
  // Replaces the configuration of row.kind/row.name if it is still the one made at
  // expected_created_at; false when it changed meanwhile or is gone.
  bool replace(const ComponentConfigRow& row, long long expected_created_at);
  std::optional<ComponentConfigRow> find(const std::string& kind, const std::string& name);
  std::vector<ComponentConfigRow> list(const std::string& kind);
  bool remove(const std::string& kind, const std::string& name);

 private:
  Database& database_;
};

}  // namespace tessera::db
