// eduMFA's machines: machine resolvers and the tokens attached to machines for an application.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace tessera::db {

struct MachineResolverRow {
  std::string name, type;
  std::string config = "{}";  // JSON object
};

struct MachineTokenRow {
  long long id = 0;
  std::string serial;
  std::string resolver, machine_id;  // both empty: every machine
  std::string application;
  std::string options = "{}";  // JSON object of text values (ssh: user, service_id)
};

class MachineRepository {
 public:
  explicit MachineRepository(Database& database) : database_(database) {}

  std::vector<MachineResolverRow> resolvers();
  std::optional<MachineResolverRow> resolver(const std::string& name);
  void save_resolver(const MachineResolverRow& row);
  // False when there is none; a resolver that tokens are attached through stays (the reason).
  bool remove_resolver(const std::string& name, std::string& refusal);

  long long attach(const MachineTokenRow& row);
  std::vector<MachineTokenRow> attached(const std::string& serial = "");
  std::optional<MachineTokenRow> attachment(long long id);
  void set_options(long long id, const std::string& options);
  bool detach(long long id);

 private:
  Database& database_;
};

}  // namespace tessera::db
