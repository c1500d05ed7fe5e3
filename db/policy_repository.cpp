// SQL for policies.
#include "db/policy_repository.hpp"

#include <soci/soci.h>

#include "db/config_cache.hpp"
#include "db/row_values.hpp"
#include "db/row_version.hpp"

namespace tessera::db {

std::vector<PolicyRow> PolicyRepository::all() {
  return database_.with_session([&](soci::session& sql) {
    std::vector<PolicyRow> result;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT name, scope, actions, realms, resolvers, users, admins, clients, "
                        "active, priority, version FROM policy ORDER BY priority, name");
    for (const auto& r : rows)
      result.push_back({r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2),
                        r.get<std::string>(3), r.get<std::string>(4), r.get<std::string>(5),
                        r.get<std::string>(6), r.get<std::string>(7), r.get<int>(8) != 0,
                        r.get<int>(9), integer_at(r, 10)});
    return result;
  });
}

void PolicyRepository::save(const PolicyRow& p, std::optional<long long> expected_version) {
  int active = p.active ? 1 : 0;
  database_.in_transaction([&](soci::session& sql) {
    bump_config_version(sql);
    sql << "INSERT INTO policy (name, scope, actions, realms, resolvers, users, admins, clients, "
           "active, priority) VALUES (:n, :s, :a, :r, :re, :u, :ad, :c, :ac, :p) "
           "ON CONFLICT (name) DO UPDATE SET scope = excluded.scope, actions = excluded.actions, "
           "realms = excluded.realms, resolvers = excluded.resolvers, users = excluded.users, "
           "admins = excluded.admins, clients = excluded.clients, active = excluded.active, "
           "priority = excluded.priority, version = policy.version + 1",
        soci::use(p.name), soci::use(p.scope), soci::use(p.actions), soci::use(p.realms),
        soci::use(p.resolvers), soci::use(p.users), soci::use(p.admins), soci::use(p.clients),
        soci::use(active), soci::use(p.priority);
    long long version = 0;
    sql << "SELECT version FROM policy WHERE name = :n", soci::use(p.name), soci::into(version);
    require_version(version, expected_version, "policy '" + p.name + "'");
  });
}

bool PolicyRepository::add_in(soci::session& sql, const PolicyRow& p) {
  int active = p.active ? 1 : 0;
  soci::statement st =
      (sql.prepare << "INSERT INTO policy (name, scope, actions, realms, resolvers, users, admins, "
                      "clients, active, priority) VALUES (:n, :s, :a, :r, :re, :u, :ad, :c, :ac, "
                      ":p) ON CONFLICT (name) DO NOTHING",
       soci::use(p.name), soci::use(p.scope), soci::use(p.actions), soci::use(p.realms),
       soci::use(p.resolvers), soci::use(p.users), soci::use(p.admins), soci::use(p.clients),
       soci::use(active), soci::use(p.priority));
  st.execute(true);
  if (st.get_affected_rows() != 1) return false;
  bump_config_version(sql);
  return true;
}

bool PolicyRepository::remove(const std::string& name) {
  return database_.in_transaction([&](soci::session& sql) {
    bump_config_version(sql);
    soci::statement st = (sql.prepare << "DELETE FROM policy WHERE name = :n", soci::use(name));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

bool PolicyRepository::set_active(const std::string& name, bool active) {
  return database_.in_transaction([&](soci::session& sql) {
    bump_config_version(sql);
    const int value = active ? 1 : 0;
    soci::statement st =
        (sql.prepare << "UPDATE policy SET active = :a, version = version + 1 WHERE name = :n",
         soci::use(value), soci::use(name));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

}  // namespace tessera::db
