// Resolvers, realms and the built-in SQL user store. Kept in one repository because every
// change to one of them is checked against the others (a realm names resolvers, a user lives
// in a resolver) inside one transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace tessera::db {

struct ResolverRow {
  std::string name;
  std::string type;       // "sql" (built-in store); "ldap" later
  std::string config;     // JSON
  long long version = 0;  // see db/row_version.hpp
};

struct RealmRow {
  std::string name;
  bool is_default = false;
  std::vector<std::string> resolvers;  // in priority order
  std::vector<int> priorities;         // of each resolver, ascending (eduMFA's priority.<name>)
  long long version = 0;
};

struct UserRow {
  std::string resolver;
  std::string username;
  std::string given_name, surname, email, phone, mobile, organization, department;
  std::string password_hash;  // Argon2id; empty: cannot log in with a password
  long long version = 0;
};

class IdentityRepository {
 public:
  explicit IdentityRepository(Database& database) : database_(database) {}

  std::vector<ResolverRow> resolvers();
  std::optional<ResolverRow> resolver(const std::string& name);
  // Insert or update; with expected_version, throws StaleVersion when it moved on.
  void save_resolver(const ResolverRow& row,
                     std::optional<long long> expected_version = std::nullopt);
  // Refuses (returns a reason) while a realm uses the resolver, and while it holds users unless
  // delete_users says to delete them with it.
  std::string delete_resolver(const std::string& name, bool delete_users);

  std::vector<RealmRow> realms();
  std::optional<RealmRow> realm(const std::string& name);
  std::optional<RealmRow> default_realm();
  // Creates or replaces the realm's resolvers with their priorities (lower first); returns a
  // reason when a resolver is unknown; throws StaleVersion as save_resolver does.
  std::string save_realm(const std::string& name,
                         const std::vector<std::pair<std::string, int>>& resolvers,
                         std::optional<long long> expected_version = std::nullopt);
  bool delete_realm(const std::string& name);
  bool set_default_realm(const std::string& name);

  std::optional<UserRow> user(const std::string& resolver, const std::string& username);
  std::vector<UserRow> users(const std::string& resolver, const std::string& username_filter);
  bool add_user(const UserRow& row);  // false: the name is taken in that resolver
  // Inside the caller's transaction (an import): a resolver, and a realm of resolvers that
  // exist, each only when none of that name is there (false: left as it was). A realm is the
  // default one when is_default and no realm is the default yet.
  static bool add_resolver_in(soci::session& sql, const ResolverRow& row);
  static bool add_realm_in(soci::session& sql, Dialect dialect, const std::string& name,
                           bool is_default,
                           const std::vector<std::pair<std::string, int>>& resolvers);
  // False: no such user; throws StaleVersion as save_resolver does.
  bool update_user(const UserRow& row, std::optional<long long> expected_version = std::nullopt);
  bool delete_user(const std::string& resolver, const std::string& username);

 private:
  Database& database_;
};

}  // namespace tessera::db
