// SQL for resolvers, realms and users.
#include "db/identity_repository.hpp"

#include "db/config_cache.hpp"
#include "db/row_values.hpp"
#include "db/row_version.hpp"

#include <soci/soci.h>

namespace tessera::db {
namespace {

constexpr const char* kUserColumns =
    "resolver, username, given_name, surname, email, phone, mobile, organization, department, "
    "password_hash";

UserRow read_user(const soci::row& r) {
  return {r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2),
          r.get<std::string>(3), r.get<std::string>(4), r.get<std::string>(5),
          r.get<std::string>(6), r.get<std::string>(7), r.get<std::string>(8),
          r.get<std::string>(9), integer_at(r, 10)};
}

void read_realm_resolvers(soci::session& sql, RealmRow& realm) {
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT resolver, priority FROM realm_resolver WHERE realm = :r "
                      "ORDER BY priority, resolver",
       soci::use(realm.name));
  for (const auto& r : rows) {
    realm.resolvers.push_back(r.get<std::string>(0));
    realm.priorities.push_back(r.get<int>(1));
  }
}

// Realm and resolver changes check other rows before they write (does the resolver exist, is it
// used, is this the first realm). SQLite's BEGIN IMMEDIATE already serialises them; on
// PostgreSQL an advisory lock does, so two nodes cannot interleave such checks.
void serialise_identity_changes(soci::session& sql, Dialect dialect) {
  constexpr long long kIdentityLockId = 7305311826LL;
  if (dialect == Dialect::postgresql)
    sql << "SELECT pg_advisory_xact_lock(" + std::to_string(kIdentityLockId) + ")";
}

int affected(soci::statement& st) {
  st.execute(true);
  return static_cast<int>(st.get_affected_rows());
}

}  // namespace

bool IdentityRepository::add_resolver_in(soci::session& sql, const ResolverRow& row) {
  soci::statement st = (sql.prepare << "INSERT INTO resolver (name, type, config) VALUES (:n, :t, "
                                       ":c) ON CONFLICT (name) DO NOTHING",
                        soci::use(row.name), soci::use(row.type), soci::use(row.config));
  if (affected(st) != 1) return false;
  bump_config_version(sql);
  return true;
}

bool IdentityRepository::add_realm_in(soci::session& sql, Dialect dialect, const std::string& name,
                                      bool is_default,
                                      const std::vector<std::pair<std::string, int>>& resolvers) {
  serialise_identity_changes(sql, dialect);
  int defaults = 0;
  sql << "SELECT COUNT(*) FROM realm WHERE is_default = 1", soci::into(defaults);
  int as_default = is_default && defaults == 0 ? 1 : 0;
  soci::statement st = (sql.prepare << "INSERT INTO realm (name, is_default) VALUES (:n, :d) ON "
                                       "CONFLICT (name) DO NOTHING",
                        soci::use(name), soci::use(as_default));
  if (affected(st) != 1) return false;
  for (const auto& [resolver, priority] : resolvers)
    sql << "INSERT INTO realm_resolver (realm, resolver, priority) VALUES (:r, :s, :p)",
        soci::use(name), soci::use(resolver), soci::use(priority);
  bump_config_version(sql);
  return true;
}

std::vector<ResolverRow> IdentityRepository::resolvers() {
  return database_.with_session([&](soci::session& sql) {
    std::vector<ResolverRow> result;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT name, type, config, version FROM resolver ORDER BY name");
    for (const auto& r : rows)
      result.push_back(
          {r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2), integer_at(r, 3)});
    return result;
  });
}

std::optional<ResolverRow> IdentityRepository::resolver(const std::string& name) {
  return database_.with_session([&](soci::session& sql) -> std::optional<ResolverRow> {
    ResolverRow row;
    sql << "SELECT name, type, config, version FROM resolver WHERE name = :n", soci::use(name),
        soci::into(row.name), soci::into(row.type), soci::into(row.config), soci::into(row.version);
    if (!sql.got_data()) return std::nullopt;
    return row;
  });
}

void IdentityRepository::save_resolver(const ResolverRow& row,
                                       std::optional<long long> expected_version) {
  database_.in_transaction([&](soci::session& sql) {
    bump_config_version(sql);
    sql << "INSERT INTO resolver (name, type, config) VALUES (:n, :t, :c) ON CONFLICT (name) "
           "DO UPDATE SET type = excluded.type, config = excluded.config, "
           "version = resolver.version + 1",
        soci::use(row.name), soci::use(row.type), soci::use(row.config);
    long long version = 0;
    sql << "SELECT version FROM resolver WHERE name = :n", soci::use(row.name), soci::into(version);
    require_version(version, expected_version, "resolver '" + row.name + "'");
  });
}

std::string IdentityRepository::delete_resolver(const std::string& name, bool delete_users) {
  return database_.in_transaction([&](soci::session& sql) -> std::string {
    serialise_identity_changes(sql, database_.dialect());
    bump_config_version(sql);
    std::string realm;
    sql << "SELECT realm FROM realm_resolver WHERE resolver = :n", soci::use(name),
        soci::into(realm);
    if (sql.got_data())
      return "the resolver is used by realm '" + realm + "'; remove it there first";
    // The built-in store's users exist nowhere else: they go only when the admin says so.
    long long users = 0;
    sql << "SELECT COUNT(*) FROM resolver_user WHERE resolver = :n", soci::use(name),
        soci::into(users);
    if (users > 0 && !delete_users)
      return "resolver '" + name + "' holds " + std::to_string(users) +
             " users that would be lost: delete them first, or pass delete_users=1 to delete "
             "them with it";
    soci::statement st = (sql.prepare << "DELETE FROM resolver WHERE name = :n", soci::use(name));
    if (affected(st) == 0) return "no resolver named '" + name + "'";
    sql << "DELETE FROM resolver_user WHERE resolver = :n", soci::use(name);
    return {};
  });
}

std::vector<RealmRow> IdentityRepository::realms() {
  return database_.with_session([&](soci::session& sql) {
    std::vector<RealmRow> result;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT name, is_default, version FROM realm ORDER BY name");
    for (const auto& r : rows)
      result.push_back({r.get<std::string>(0), r.get<int>(1) != 0, {}, {}, integer_at(r, 2)});
    for (auto& realm : result) read_realm_resolvers(sql, realm);
    return result;
  });
}

std::optional<RealmRow> IdentityRepository::realm(const std::string& name) {
  return database_.with_session([&](soci::session& sql) -> std::optional<RealmRow> {
    int is_default = 0;
    long long version = 0;
    sql << "SELECT is_default, version FROM realm WHERE name = :n", soci::use(name),
        soci::into(is_default), soci::into(version);
    if (!sql.got_data()) return std::nullopt;
    RealmRow realm{name, is_default != 0, {}, {}, version};
    read_realm_resolvers(sql, realm);
    return realm;
  });
}

std::optional<RealmRow> IdentityRepository::default_realm() {
  auto name = database_.with_session([&](soci::session& sql) -> std::optional<std::string> {
    std::string found;
    sql << "SELECT name FROM realm WHERE is_default = 1", soci::into(found);
    if (!sql.got_data()) return std::nullopt;
    return found;
  });
  return name ? realm(*name) : std::nullopt;
}

std::string IdentityRepository::save_realm(
    const std::string& name, const std::vector<std::pair<std::string, int>>& resolvers,
    std::optional<long long> expected_version) {
  return database_.in_transaction([&](soci::session& sql) -> std::string {
    serialise_identity_changes(sql, database_.dialect());
    bump_config_version(sql);
    for (const auto& [resolver, unused] : resolvers) {
      int count = 0;
      sql << "SELECT COUNT(*) FROM resolver WHERE name = :n", soci::use(resolver),
          soci::into(count);
      if (count == 0) return "no resolver named '" + resolver + "'";
    }
    int realms = 0;
    sql << "SELECT COUNT(*) FROM realm", soci::into(realms);
    // The first realm becomes the default one, as in eduMFA.
    int is_default = realms == 0 ? 1 : 0;
    sql << "INSERT INTO realm (name, is_default) VALUES (:n, :d) ON CONFLICT (name) "
           "DO UPDATE SET version = realm.version + 1",
        soci::use(name), soci::use(is_default);
    long long version = 0;
    sql << "SELECT version FROM realm WHERE name = :n", soci::use(name), soci::into(version);
    require_version(version, expected_version, "realm '" + name + "'");
    sql << "DELETE FROM realm_resolver WHERE realm = :n", soci::use(name);
    for (const auto& [resolver, priority] : resolvers)
      sql << "INSERT INTO realm_resolver (realm, resolver, priority) VALUES (:r, :s, :p)",
          soci::use(name), soci::use(resolver), soci::use(priority);
    return {};
  });
}

bool IdentityRepository::delete_realm(const std::string& name) {
  return database_.in_transaction([&](soci::session& sql) {
    serialise_identity_changes(sql, database_.dialect());
    bump_config_version(sql);
    sql << "DELETE FROM realm_resolver WHERE realm = :n", soci::use(name);
    soci::statement st = (sql.prepare << "DELETE FROM realm WHERE name = :n", soci::use(name));
    return affected(st) == 1;
  });
}

bool IdentityRepository::set_default_realm(const std::string& name) {
  return database_.in_transaction([&](soci::session& sql) {
    serialise_identity_changes(sql, database_.dialect());
    bump_config_version(sql);
    int count = 0;
    sql << "SELECT COUNT(*) FROM realm WHERE name = :n", soci::use(name), soci::into(count);
    if (count == 0) return false;
    sql << "UPDATE realm SET is_default = CASE WHEN name = :n THEN 1 ELSE 0 END", soci::use(name);
    return true;
  });
}

namespace {

// Every /validate/check looks a user up: prepared once per connection.
struct UserByName {
  std::string resolver, username;
  UserRow row;
  soci::statement statement;
  explicit UserByName(soci::session& sql)
      : statement((sql.prepare << std::string("SELECT ") + kUserColumns +
                                      ", version FROM resolver_user WHERE resolver = :r AND "
                                      "username = :u",
                   soci::use(resolver), soci::use(username), soci::into(row.resolver),
                   soci::into(row.username), soci::into(row.given_name), soci::into(row.surname),
                   soci::into(row.email), soci::into(row.phone), soci::into(row.mobile),
                   soci::into(row.organization), soci::into(row.department),
                   soci::into(row.password_hash), soci::into(row.version))) {}
};

}  // namespace

std::optional<UserRow> IdentityRepository::user(const std::string& resolver,
                                                const std::string& username) {
  return database_.with_session([&](soci::session& sql) -> std::optional<UserRow> {
    auto& query = database_.prepared<UserByName>(sql);
    query.resolver = resolver;
    query.username = username;
    return Database::fetch_one(query.statement, [&] { return query.row; });
  });
}

std::vector<UserRow> IdentityRepository::users(const std::string& resolver,
                                               const std::string& username_filter) {
  return database_.with_session([&](soci::session& sql) {
    std::vector<UserRow> result;
    // "*" in the filter is a wildcard, as in eduMFA; LIKE's own wildcards are escaped.
    std::string pattern;
    for (char c : username_filter.empty() ? std::string("*") : username_filter) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c == '*' ? '%' : c;
    }
    soci::rowset<soci::row> rows =
        (sql.prepare << std::string("SELECT ") + kUserColumns +
                            ", version FROM resolver_user WHERE resolver = :r AND username LIKE :p "
                            "ESCAPE '\\' ORDER BY username",
         soci::use(resolver), soci::use(pattern));
    for (const auto& r : rows) result.push_back(read_user(r));
    return result;
  });
}

bool IdentityRepository::add_user(const UserRow& u) {
  return database_.with_session([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << std::string("INSERT INTO resolver_user (") + kUserColumns +
                            ") VALUES (:r, :u, :g, :s, :e, :p, :m, :o, :d, :h) "
                            "ON CONFLICT (resolver, username) DO NOTHING",
         soci::use(u.resolver), soci::use(u.username), soci::use(u.given_name),
         soci::use(u.surname), soci::use(u.email), soci::use(u.phone), soci::use(u.mobile),
         soci::use(u.organization), soci::use(u.department), soci::use(u.password_hash));
    return affected(st) == 1;
  });
}

bool IdentityRepository::update_user(const UserRow& u, std::optional<long long> expected_version) {
  return database_.in_transaction([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "UPDATE resolver_user SET given_name = :g, surname = :s, email = :e, "
                        "phone = :p, mobile = :m, organization = :o, department = :d, "
                        "password_hash = :h, version = version + 1 "
                        "WHERE resolver = :r AND username = :u",
         soci::use(u.given_name), soci::use(u.surname), soci::use(u.email), soci::use(u.phone),
         soci::use(u.mobile), soci::use(u.organization), soci::use(u.department),
         soci::use(u.password_hash), soci::use(u.resolver), soci::use(u.username));
    if (affected(st) != 1) return false;
    long long version = 0;
    sql << "SELECT version FROM resolver_user WHERE resolver = :r AND username = :u",
        soci::use(u.resolver), soci::use(u.username), soci::into(version);
    require_version(version, expected_version, "user '" + u.username + "'");
    return true;
  });
}

bool IdentityRepository::delete_user(const std::string& resolver, const std::string& username) {
  return database_.with_session([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "DELETE FROM resolver_user WHERE resolver = :r AND username = :u",
         soci::use(resolver), soci::use(username));
    return affected(st) == 1;
  });
}

}  // namespace tessera::db
