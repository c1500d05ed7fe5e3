#include "db/event_repository.hpp"

#include <chrono>

#include <soci/soci.h>

#include "db/fit_text.hpp"
#include "db/row_values.hpp"

namespace tessera::db {
namespace {

const std::string kOutboxSelect =
    "SELECT id, event_id, handler, notifier, action, request, state, attempts, next_attempt_ms, "
    "last_error, created_ms, delivered_ms FROM outbox";

OutboxRow outbox_of(const soci::row& r) {
  OutboxRow o;
  o.id = integer_at(r, 0);
  o.event_id = integer_at(r, 1);
  o.handler = r.get<std::string>(2);
  o.notifier = r.get<std::string>(3);
  o.action = r.get<std::string>(4);
  o.request = r.get<std::string>(5);
  o.state = r.get<std::string>(6);
  o.attempts = static_cast<int>(integer_at(r, 7));
  o.next_attempt_ms = integer_at(r, 8);
  o.last_error = r.get<std::string>(9);
  o.created_ms = integer_at(r, 10);
  o.delivered_ms = integer_at(r, 11);
  return o;
}

long long affected(soci::statement& st) {
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace

void EventRepository::append(soci::session& sql, const std::string& name,
                             const std::string& position, const std::string& payload) {
  const long long now = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  sql << "INSERT INTO event (name, position, time_us, payload, dispatched) VALUES (:n, :p, :t, "
         ":pl, 0)",
      soci::use(name), soci::use(position), soci::use(now), soci::use(payload);
}

void EventRepository::append(const std::string& name, const std::string& position,
                             const std::string& payload) {
  database_.write([&](soci::session& sql) { append(sql, name, position, payload); });
}

std::vector<EventRow> EventRepository::waiting(int limit) {
  return database_.with_session([&](soci::session& sql) {
    std::vector<EventRow> result;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT id, name, position, time_us, payload FROM event WHERE "
                        "dispatched = 0 ORDER BY id LIMIT :l",
         soci::use(limit));
    for (const auto& r : rows)
      result.push_back(EventRow{integer_at(r, 0), r.get<std::string>(1), r.get<std::string>(2),
                                integer_at(r, 3), r.get<std::string>(4)});
    return result;
  });
}

bool EventRepository::dispatch(long long event_id, const std::vector<OutboxRow>& deliveries) {
  return database_.in_transaction([&](soci::session& sql) {
    // An event that no handler acted on is not kept: the log holds what is still to be done.
    soci::statement st =
        (sql.prepare << (deliveries.empty()
                             ? "DELETE FROM event WHERE id = :id AND dispatched = 0"
                             : "UPDATE event SET dispatched = 1 WHERE id = :id AND dispatched = 0"),
         soci::use(event_id));
    if (affected(st) != 1) return false;
    for (const auto& d : deliveries)
      sql << "INSERT INTO outbox (event_id, handler, notifier, action, request, state, attempts, "
             "next_attempt_ms, last_error, created_ms, delivered_ms) VALUES (:e, :h, :n, :a, :r, "
             "'pending', 0, :next, '', :c, 0)",
          soci::use(event_id), soci::use(d.handler), soci::use(d.notifier), soci::use(d.action),
          soci::use(d.request), soci::use(d.next_attempt_ms), soci::use(d.created_ms);
    return true;
  });
}

long long EventRepository::enqueue_claimed(const OutboxRow& d, long long now_ms,
                                           long long lease_until_ms) {
  return database_.in_transaction([&](soci::session& sql) {
    long long id = 0;
    sql << "INSERT INTO outbox (event_id, handler, notifier, action, request, state, attempts, "
           "next_attempt_ms, last_error, created_ms, delivered_ms) VALUES (0, :h, :n, :a, :r, "
           "'delivering', 1, :lease, '', :c, 0) RETURNING id",
        soci::use(d.handler), soci::use(d.notifier), soci::use(d.action), soci::use(d.request),
        soci::use(lease_until_ms), soci::use(now_ms), soci::into(id);
    return id;
  });
}

std::vector<OutboxRow> EventRepository::due(long long now_ms, int limit) {
  return database_.with_session([&](soci::session& sql) {
    std::vector<OutboxRow> result;
    soci::rowset<soci::row> rows =
        (sql.prepare << kOutboxSelect
                     << " WHERE state IN ('pending', 'delivering') AND next_attempt_ms <= :now "
                        "ORDER BY next_attempt_ms, id LIMIT :l",
         soci::use(now_ms), soci::use(limit));
    for (const auto& r : rows) result.push_back(outbox_of(r));
    return result;
  });
}

bool EventRepository::claim(long long id, int attempt, long long now_ms, long long lease_until_ms) {
  const int before = attempt - 1;
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "UPDATE outbox SET state = 'delivering', attempts = attempts + 1, "
                        "next_attempt_ms = :lease WHERE id = :id AND attempts = :a AND state IN "
                        "('pending', 'delivering') AND next_attempt_ms <= :now",
         soci::use(lease_until_ms), soci::use(id), soci::use(before), soci::use(now_ms));
    return affected(st) == 1;
  });
}

void EventRepository::delivered(long long id, int attempt, long long now_ms) {
  database_.write([&](soci::session& sql) {
    sql << "UPDATE outbox SET state = 'delivered', delivered_ms = :t, last_error = '' WHERE id = "
           ":id AND state = 'delivering' AND attempts = :a",
        soci::use(now_ms), soci::use(id), soci::use(attempt);
  });
}

void EventRepository::failed(long long id, int attempt, const std::string& error,
                             long long next_attempt_ms, bool dead) {
  const std::string state = dead ? "dead" : "pending";
  const auto message = fit_text(error, 1024);
  database_.write([&](soci::session& sql) {
    sql << "UPDATE outbox SET state = :s, last_error = :e, next_attempt_ms = :n WHERE id = :id "
           "AND state = 'delivering' AND attempts = :a",
        soci::use(state), soci::use(message), soci::use(next_attempt_ms), soci::use(id),
        soci::use(attempt);
  });
}

std::vector<OutboxRow> EventRepository::list(const std::string& state, int limit) {
  return database_.with_session([&](soci::session& sql) {
    std::vector<OutboxRow> result;
    soci::rowset<soci::row> rows =
        (sql.prepare << kOutboxSelect
                     << " WHERE (:s1 = '' OR state = :s2) ORDER BY id DESC LIMIT :l",
         soci::use(state), soci::use(state), soci::use(limit));
    for (const auto& r : rows) result.push_back(outbox_of(r));
    return result;
  });
}

EventRepository::OutboxPage EventRepository::page(const std::string& state, int page,
                                                  int page_size) {
  return database_.with_session([&](soci::session& sql) {
    OutboxPage result;
    sql << "SELECT COUNT(*) FROM outbox WHERE (:s1 = '' OR state = :s2)", soci::use(state),
        soci::use(state), soci::into(result.total);
    const long long offset = static_cast<long long>(page - 1) * page_size;
    soci::rowset<soci::row> rows =
        (sql.prepare << kOutboxSelect
                     << " WHERE (:s1 = '' OR state = :s2) ORDER BY id DESC LIMIT :l OFFSET :o",
         soci::use(state), soci::use(state), soci::use(page_size), soci::use(offset));
    for (const auto& r : rows) result.rows.push_back(outbox_of(r));
    return result;
  });
}

std::optional<OutboxRow> EventRepository::find(long long id) {
  return database_.with_session([&](soci::session& sql) -> std::optional<OutboxRow> {
    soci::rowset<soci::row> rows =
        (sql.prepare << kOutboxSelect << " WHERE id = :id", soci::use(id));
    for (const auto& r : rows) return outbox_of(r);
    return std::nullopt;
  });
}

bool EventRepository::retry(long long id, long long now_ms) {
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_ms = :n "
                        "WHERE id = :id AND state = 'dead'",
         soci::use(now_ms), soci::use(id));
    return affected(st) == 1;
  });
}

void EventRepository::purge(long long before_ms) {
  database_.in_transaction([&](soci::session& sql) {
    sql << "DELETE FROM outbox WHERE state = 'delivered' AND delivered_ms < :t",
        soci::use(before_ms);
    sql << "DELETE FROM event WHERE dispatched = 1 AND NOT EXISTS (SELECT 1 FROM outbox WHERE "
           "outbox.event_id = event.id)";
  });
}

}  // namespace tessera::db
