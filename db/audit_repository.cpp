// SQL for the audit log. The head row is locked with BEGIN IMMEDIATE on SQLite and
// SELECT ... FOR UPDATE on PostgreSQL.
#include "db/audit_repository.hpp"

#include <soci/soci.h>

#include "db/statistics_repository.hpp"

namespace tessera::db {
namespace {

constexpr const char* kColumns =
    "id, time_us, duration_us, action, success, serial, token_type, username, realm, "
    "administrator, client, policies, info, prev_hash, hash, actor_user, actor_realm";

AuditEntry read_row(const soci::row& r) {
  AuditEntry e;
  e.id = r.get<long long>(0);
  e.time_us = r.get<long long>(1);
  e.duration_us = r.get<long long>(2);
  e.action = r.get<std::string>(3);
  e.success = r.get<int>(4) != 0;
  e.serial = r.get<std::string>(5);
  e.token_type = r.get<std::string>(6);
  e.username = r.get<std::string>(7);
  e.realm = r.get<std::string>(8);
  e.administrator = r.get<std::string>(9);
  e.client = r.get<std::string>(10);
  e.policies = r.get<std::string>(11);
  e.info = r.get<std::string>(12);
  e.prev_hash = r.get<std::string>(13);
  e.hash = r.get<std::string>(14);
  e.actor_user = r.get<std::string>(15);
  e.actor_realm = r.get<std::string>(16);
  return e;
}

}  // namespace

void AuditRepository::append(std::vector<AuditEntry>& entries,
                             const std::function<std::string(const AuditEntry&)>& link,
                             const std::function<std::string(const AuditHead&)>& seal_head) {
  if (entries.empty()) return;
  const bool sqlite = database_.dialect() == Dialect::sqlite;
  database_.in_transaction([&](soci::session& sql) {
    AuditHead head;
    sql << std::string("SELECT last_id, last_hash FROM audit_head WHERE id = 1") +
               (sqlite ? "" : " FOR UPDATE"),
        soci::into(head.last_id), soci::into(head.last_hash);
    // Prepared once per batch: parsing the statement cost more than running it.
    AuditEntry row;
    int success = 0;
    soci::statement insert =
        (sql.prepare << "INSERT INTO audit (" << kColumns
                     << ") VALUES (:id, :t, :d, :a, :s, :se, :tt, :u, :r, :ad, :c, :p, :i, :ph, "
                        ":h, :au, :ar)",
         soci::use(row.id), soci::use(row.time_us), soci::use(row.duration_us),
         soci::use(row.action), soci::use(success), soci::use(row.serial),
         soci::use(row.token_type), soci::use(row.username), soci::use(row.realm),
         soci::use(row.administrator), soci::use(row.client), soci::use(row.policies),
         soci::use(row.info), soci::use(row.prev_hash), soci::use(row.hash),
         soci::use(row.actor_user), soci::use(row.actor_realm));
    for (auto& e : entries) {
      e.id = ++head.last_id;
      e.prev_hash = head.last_hash;
      e.hash = link(e);
      head.last_hash = e.hash;
      row = e;
      success = e.success ? 1 : 0;
      insert.execute(true);
    }
    count_checks(sql, entries);
    head.mac = seal_head(head);
    sql << "UPDATE audit_head SET last_id = :i, last_hash = :h, head_mac = :m WHERE id = 1",
        soci::use(head.last_id), soci::use(head.last_hash), soci::use(head.mac);
  });
}

AuditPage AuditRepository::search(const AuditFilter& filter, int page, int page_size) {
  return database_.with_session([&](soci::session& sql) {
    // Every filter is a bound value; only the fixed fragments below are put into the SQL.
    std::string where = " WHERE 1 = 1";
    std::vector<std::string> values;
    auto add = [&](const std::string& value, const char* column) {
      if (value.empty()) return;
      where += std::string(" AND ") + column + " = :v" + std::to_string(values.size());
      values.push_back(value);
    };
    add(filter.action, "action");
    if (filter.own_view) {
      // Each value bound once per placeholder: SOCI's backends number repeated names apart.
      auto next = [&](const std::string& value) {
        values.push_back(value);
        return ":v" + std::to_string(values.size() - 1);
      };
      where += " AND ((actor_user = " + next(filter.username);
      where += " AND actor_realm = " + next(filter.realm);
      where += ") OR (actor_user = '' AND username = " + next(filter.username);
      where += " AND realm = " + next(filter.realm) + "))";
    } else {
      add(filter.username, "username");
      add(filter.realm, "realm");
    }
    add(filter.actor_user, "actor_user");
    add(filter.actor_realm, "actor_realm");
    add(filter.serial, "serial");
    add(filter.administrator, "administrator");
    if (filter.success) where += *filter.success ? " AND success = 1" : " AND success = 0";
    // Numbers the server parsed, so they are written into the SQL as such.
    if (filter.since_us > 0) where += " AND time_us >= " + std::to_string(filter.since_us);
    if (filter.until_us > 0) where += " AND time_us < " + std::to_string(filter.until_us);

    AuditPage result;
    {
      soci::statement count = (sql.prepare << "SELECT COUNT(*) FROM audit" + where);
      for (auto& v : values) count.exchange(soci::use(v));
      count.exchange(soci::into(result.total));
      count.define_and_bind();
      count.execute(true);
    }
    const long long offset = static_cast<long long>(page - 1) * page_size;
    const long long limit = page_size;
    soci::row row;
    soci::statement select =
        (sql.prepare << std::string("SELECT ") + kColumns + " FROM audit" + where +
                            " ORDER BY id DESC LIMIT " + std::to_string(limit) + " OFFSET " +
                            std::to_string(offset));
    for (auto& v : values) select.exchange(soci::use(v));
    select.exchange(soci::into(row));
    select.define_and_bind();
    select.execute(false);
    while (select.fetch()) result.entries.push_back(read_row(row));
    return result;
  });
}

void AuditRepository::scan(long long last_id, const std::function<bool(const AuditEntry&)>& visit) {
  database_.with_session([&](soci::session& sql) {
    soci::rowset<soci::row> rows = (sql.prepare << std::string("SELECT ") + kColumns +
                                                       " FROM audit WHERE id <= :l ORDER BY id",
                                    soci::use(last_id));
    for (const auto& row : rows)
      if (!visit(read_row(row))) break;
  });
}

AuditHead AuditRepository::head() {
  return database_.with_session([&](soci::session& sql) {
    AuditHead head;
    sql << "SELECT last_id, last_hash, head_mac FROM audit_head WHERE id = 1",
        soci::into(head.last_id), soci::into(head.last_hash), soci::into(head.mac);
    return head;
  });
}

}  // namespace tessera::db
