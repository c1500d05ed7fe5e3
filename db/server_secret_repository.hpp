// Server-wide secrets (e.g. the JWT signing key), stored sealed so that every node sharing the
// database uses the same value.
#pragma once

#include <functional>
#include <string>

#include "db/database.hpp"

namespace tessera::db {

class ServerSecretRepository {
 public:
  explicit ServerSecretRepository(Database& database) : database_(database) {}

  // Returns the sealed value stored under name; stores make_sealed() first when there is none.
  // When two nodes race, the first insert wins and both get its value.
  std::string get_or_create(const std::string& name,
                            const std::function<std::string()>& make_sealed);

 private:
  Database& database_;
};

}  // namespace tessera::db
