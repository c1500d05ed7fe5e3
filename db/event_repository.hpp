// The durable side of the event engine. An event that some handler wants is appended to the
// event log, inside the transaction of the change it reports where there is one; a dispatcher
// turns each event into deliveries in the outbox (one transaction: the event is marked and
// its deliveries appear together); a delivery worker claims due deliveries, runs them and
// records the outcome, with retries and backoff, and a dead-letter state at the end. A process
// that dies at any point loses nothing: a claimed delivery whose lease ran out is taken again
// (it may repeat, never vanish).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <soci/session.h>

#include "db/database.hpp"

namespace tessera::db {

struct EventRow {
  long long id = 0;
  std::string name;
  std::string position;  // "pre" or "post"
  long long time_us = 0;
  std::string payload;  // JSON object
};

struct OutboxRow {
  long long id = 0;
  long long event_id = 0;
  std::string handler;
  std::string notifier;
  std::string action;
  std::string request;  // JSON object: what the action is given
  std::string state;    // pending, delivering, delivered, dead
  int attempts = 0;
  long long next_attempt_ms = 0;
  std::string last_error;
  long long created_ms = 0;
  long long delivered_ms = 0;
};

class EventRepository {
 public:
  explicit EventRepository(Database& database) : database_(database) {}

  // Appends an event in the caller's transaction.
  static void append(soci::session& sql, const std::string& name, const std::string& position,
                     const std::string& payload);
  // Appends an event on its own.
  void append(const std::string& name, const std::string& position, const std::string& payload);

  // Events not yet dispatched, oldest first.
  std::vector<EventRow> waiting(int limit);
  // Marks the event dispatched and queues its deliveries, together; false when another process
  // dispatched it first (then nothing is queued).
  bool dispatch(long long event_id, const std::vector<OutboxRow>& deliveries);
  // A delivery the host makes itself (no event: event_id 0), taken by the caller for its first
  // attempt until lease_until_ms (if the process dies, a worker takes it then); returns its id.
  long long enqueue_claimed(const OutboxRow& row, long long now_ms, long long lease_until_ms);

  // Deliveries due at now_ms: pending ones whose time came, and claimed ones whose lease ran out.
  std::vector<OutboxRow> due(long long now_ms, int limit);
  // Takes a due delivery until lease_until_ms and counts the attempt; false when another
  // worker took it. `attempt` is the attempt being made (attempts + 1): the outcome is written
  // only while the claim is still this one (a claim whose lease ran out may have been taken
  // over, and then its late outcome must not overwrite the new one).
  bool claim(long long id, int attempt, long long now_ms, long long lease_until_ms);
  void delivered(long long id, int attempt, long long now_ms);
  // After a failed attempt: again at next_attempt_ms, or dead.
  void failed(long long id, int attempt, const std::string& error, long long next_attempt_ms,
              bool dead);
  struct OutboxPage {
    std::vector<OutboxRow> rows;  // newest first
    long long total = 0;          // in the state, on every page
  };
  // One page (from 1) of the deliveries in a state ("" for all).
  OutboxPage page(const std::string& state, int page, int page_size);
  // Deliveries in a state ("" for all), newest first.
  std::vector<OutboxRow> list(const std::string& state, int limit);
  std::optional<OutboxRow> find(long long id);
  // A dead delivery is tried again now, its attempts counted from zero.
  bool retry(long long id, long long now_ms);
  // Forgets deliveries delivered before before_ms, and dispatched events none of whose
  // deliveries is left (they hold personal data: names, addresses). Dead ones stay for admins.
  void purge(long long before_ms);

 private:
  Database& database_;
};

}  // namespace tessera::db
