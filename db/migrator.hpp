// Applies the embedded schema migrations in order, once, safely from several processes.
#pragma once

#include <string>
#include <vector>

#include "db/database.hpp"

namespace tessera::db {

struct EmbeddedMigration {
  const char* name;  // "0001_initial.sql" or "<dialect>/0001_initial.sql"
  const char* sql;
};

const std::vector<EmbeddedMigration>& embedded_migrations();

struct Migration {
  int version = 0;
  std::string name;
  std::string sql;
};

// The migrations for one dialect: a file under sqlite/ or postgresql/ replaces the common file
// of the same name.
std::vector<Migration> migrations_for(Dialect dialect);

// Statements of a migration script, split at ';' line ends; comment-only lines dropped.
std::vector<std::string> split_statements(const std::string& script);

// Applies what is missing and returns the versions it applied (empty when up to date).
std::vector<int> migrate(Database& database);

}  // namespace tessera::db
