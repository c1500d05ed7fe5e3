// Custom user attributes (eduMFA's), kept by resolver and user name.
#pragma once

#include <map>
#include <string>

#include "db/database.hpp"

namespace tessera::db {

class UserAttributeRepository {
 public:
  explicit UserAttributeRepository(Database& database) : database_(database) {}

  std::map<std::string, std::string> of(const std::string& resolver, const std::string& user);
  // Sets one (at most 64 per user: false when a new one would be the 65th).
  bool set(const std::string& resolver, const std::string& user, const std::string& key,
           const std::string& value, const std::string& type);
  bool remove(const std::string& resolver, const std::string& user, const std::string& key);

 private:
  Database& database_;
};

}  // namespace tessera::db
