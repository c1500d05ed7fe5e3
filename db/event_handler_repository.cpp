#include "db/event_handler_repository.hpp"

#include <soci/soci.h>

#include "db/config_cache.hpp"
#include "db/row_values.hpp"
#include "db/row_version.hpp"

namespace tessera::db {
namespace {

EventHandlerRow row_of(const soci::row& r) {
  EventHandlerRow h;
  h.id = integer_at(r, 0);
  h.name = r.get<std::string>(1);
  h.events = r.get<std::string>(2);
  h.position = r.get<std::string>(3);
  h.ordering = r.get<int>(4);
  h.active = r.get<int>(5) != 0;
  h.conditions = r.get<std::string>(6);
  h.notifier = r.get<std::string>(7);
  h.action = r.get<std::string>(8);
  h.options = r.get<std::string>(9);
  h.version = integer_at(r, 10);
  return h;
}

const std::string kSelect =
    "SELECT id, name, events, position, ordering, active, conditions, notifier, action, options, "
    "version FROM event_handler";

}  // namespace

std::vector<EventHandlerRow> EventHandlerRepository::all() {
  return database_.with_session([&](soci::session& sql) {
    std::vector<EventHandlerRow> result;
    soci::rowset<soci::row> rows = (sql.prepare << kSelect << " ORDER BY ordering, id");
    for (const auto& r : rows) result.push_back(row_of(r));
    return result;
  });
}

std::optional<EventHandlerRow> EventHandlerRepository::find(long long id) {
  return database_.with_session([&](soci::session& sql) -> std::optional<EventHandlerRow> {
    soci::rowset<soci::row> rows = (sql.prepare << kSelect << " WHERE id = :id", soci::use(id));
    for (const auto& r : rows) return row_of(r);
    return std::nullopt;
  });
}

long long EventHandlerRepository::save(const EventHandlerRow& h,
                                       std::optional<long long> expected_version) {
  int active = h.active ? 1 : 0;
  return database_.in_transaction([&](soci::session& sql) -> long long {
    long long taken = 0;
    soci::indicator found = soci::i_null;
    sql << "SELECT id FROM event_handler WHERE name = :n AND id <> :id", soci::use(h.name),
        soci::use(h.id), soci::into(taken, found);
    if (found == soci::i_ok) return -1;
    long long id = h.id;
    if (id == 0) {
      sql << "INSERT INTO event_handler (name, events, position, ordering, active, conditions, "
             "notifier, action, options) VALUES (:n, :e, :p, :o, :a, :c, :nt, :ac, :op) "
             "RETURNING id",
          soci::use(h.name), soci::use(h.events), soci::use(h.position), soci::use(h.ordering),
          soci::use(active), soci::use(h.conditions), soci::use(h.notifier), soci::use(h.action),
          soci::use(h.options), soci::into(id);
    } else {
      soci::statement st =
          (sql.prepare << "UPDATE event_handler SET name = :n, events = :e, position = :p, "
                          "ordering = :o, active = :a, conditions = :c, notifier = :nt, action = "
                          ":ac, options = :op, version = version + 1 WHERE id = :id",
           soci::use(h.name), soci::use(h.events), soci::use(h.position), soci::use(h.ordering),
           soci::use(active), soci::use(h.conditions), soci::use(h.notifier), soci::use(h.action),
           soci::use(h.options), soci::use(id));
      st.execute(true);
      if (st.get_affected_rows() != 1) return 0;
      long long version = 0;
      sql << "SELECT version FROM event_handler WHERE id = :id", soci::use(id), soci::into(version);
      require_version(version, expected_version, "event handler '" + h.name + "'");
    }
    bump_config_version(sql);
    return id;
  });
}

bool EventHandlerRepository::set_active(long long id, bool active) {
  int value = active ? 1 : 0;
  return database_.in_transaction([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare
             << "UPDATE event_handler SET active = :a, version = version + 1 WHERE id = :id",
         soci::use(value), soci::use(id));
    st.execute(true);
    if (st.get_affected_rows() != 1) return false;
    bump_config_version(sql);
    return true;
  });
}

bool EventHandlerRepository::remove(long long id) {
  return database_.in_transaction([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "DELETE FROM event_handler WHERE id = :id", soci::use(id));
    st.execute(true);
    if (st.get_affected_rows() != 1) return false;
    bump_config_version(sql);
    return true;
  });
}

}  // namespace tessera::db
