// The applications seen checking factors (eduMFA's client applications).
#pragma once

#include <string>
#include <vector>

#include "db/database.hpp"

namespace tessera::db {

struct ClientApplicationRow {
  std::string ip, client_type, node;
  long long last_seen = 0;  // unix seconds
};

class ClientApplicationRepository {
 public:
  explicit ClientApplicationRepository(Database& database) : database_(database) {}

  // Inserts or moves last_seen forward, in one transaction.
  void record(const std::vector<ClientApplicationRow>& seen);
  std::vector<ClientApplicationRow> all();

 private:
  Database& database_;
};

}  // namespace tessera::db
