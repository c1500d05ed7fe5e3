// The RADIUS servers that radius tokens forward to, with their shared secrets sealed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace tessera::db {

struct RadiusServerRow {
  std::string name, host;
  int port = 1812;
  std::string sealed_secret;
  int timeout_seconds = 5, retries = 3;
  std::string description;
};

class RadiusServerRepository {
 public:
  explicit RadiusServerRepository(Database& database) : database_(database) {}

  std::vector<RadiusServerRow> all();
  std::optional<RadiusServerRow> find(const std::string& name);
  void save(const RadiusServerRow& row);  // inserts or replaces
  bool remove(const std::string& name);

 private:
  Database& database_;
};

}  // namespace tessera::db
