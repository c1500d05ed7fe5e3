// Migration runner: one transaction under a database-wide lock, so two processes starting at
// once apply each migration exactly once.
#include "db/migrator.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <sstream>

#include <soci/soci.h>

namespace tessera::db {
namespace {

// An arbitrary constant that names Tessera's migration lock among PostgreSQL advisory locks.
constexpr long long kMigrationLockId = 7305311825L;

int version_of(const std::string& file_name) {
  try {
    return std::stoi(file_name.substr(0, file_name.find('_')));
  } catch (const std::exception&) {
    throw DatabaseError("migration file '" + file_name + "' does not start with a number");
  }
}

}  // namespace

std::vector<Migration> migrations_for(Dialect dialect) {
  const std::string own = dialect == Dialect::sqlite ? "sqlite/" : "postgresql/";
  std::map<std::string, Migration> by_name;
  for (const auto& embedded : embedded_migrations()) {
    std::string name = embedded.name;
    bool specific = name.rfind(own, 0) == 0;
    if (specific) name = name.substr(own.size());
    if (name.find('/') != std::string::npos) continue;  // another dialect's file
    if (!specific && by_name.count(name)) continue;     // the dialect's own file wins
    by_name[name] = Migration{version_of(name), name, embedded.sql};
  }
  std::vector<Migration> result;
  for (auto& [name, migration] : by_name) result.push_back(std::move(migration));
  std::sort(result.begin(), result.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  return result;
}

std::vector<std::string> split_statements(const std::string& script) {
  std::vector<std::string> statements;
  std::istringstream in(script);
  std::string line, current;
  while (std::getline(in, line)) {
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line.compare(first, 2, "--") == 0) continue;
    current += line + "\n";
    auto last = line.find_last_not_of(" \t\r");
    if (line[last] == ';') {
      current.erase(current.find_last_of(';'));
      statements.push_back(current);
      current.clear();
    }
  }
  if (current.find_first_not_of(" \t\r\n") != std::string::npos) statements.push_back(current);
  return statements;
}

std::vector<int> migrate(Database& database) {
  const auto migrations = migrations_for(database.dialect());
  return database.in_transaction([&](soci::session& sql) {
    // The write lock (or, on PostgreSQL, an advisory lock) comes first, so the check of what is
    // applied and the applying happen as one step for every process.
    if (database.dialect() == Dialect::postgresql)
      sql << "SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockId) + ")";
    sql << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
           "name VARCHAR(255) NOT NULL, applied_at BIGINT NOT NULL)";
    std::set<int> applied;
    soci::rowset<int> rows = (sql.prepare << "SELECT version FROM schema_migrations");
    for (int v : rows) applied.insert(v);
    std::vector<int> applied_now;
    for (const auto& migration : migrations) {
      if (applied.count(migration.version)) continue;
      for (const auto& statement : split_statements(migration.sql)) sql << statement;
      long long now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
      sql << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :t)",
          soci::use(migration.version), soci::use(migration.name), soci::use(now);
      applied_now.push_back(migration.version);
    }
    return applied_now;
  });
}

}  // namespace tessera::db
