// Certificate profiles, stored per CA connector as validated JSON.
#pragma once

#include <map>
#include <string>

#include "db/database.hpp"

namespace tessera::db {

class CertificateProfileRepository {
 public:
  explicit CertificateProfileRepository(Database& database) : database_(database) {}

  void save(const std::string& ca, const std::string& name, const std::string& config);
  // name -> JSON
  std::map<std::string, std::string> of(const std::string& ca);
  bool remove(const std::string& ca, const std::string& name);
  // Every profile of a CA connector (it is being deleted); returns how many there were.
  long long remove_all(const std::string& ca);

 private:
  Database& database_;
};

}  // namespace tessera::db
