// Event handlers as admins define them: which events, before or after the request, in which
// order, under which conditions, and which configured notification action does what. Every
// change bumps config_version, so each node's ConfigCache serves the new set at once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace tessera::db {

struct EventHandlerRow {
  long long id = 0;
  std::string name;
  std::string events;    // comma-separated event names
  std::string position;  // "pre" or "post"
  int ordering = 0;
  bool active = true;
  std::string conditions = "{}";  // JSON object
  std::string notifier;           // a configured notification action
  std::string action;
  std::string options = "{}";  // JSON object
  long long version = 0;       // see db/row_version.hpp
};

class EventHandlerRepository {
 public:
  explicit EventHandlerRepository(Database& database) : database_(database) {}

  // In order: ordering, then id.
  std::vector<EventHandlerRow> all();
  std::optional<EventHandlerRow> find(long long id);
  // Creates it (id 0; returns the new id) or replaces handler id (returns id, or 0 when there is
  // none). Returns -1 when another handler has the name. With expected_version, a replace throws
  // StaleVersion when the handler moved on.
  long long save(const EventHandlerRow& row,
                 std::optional<long long> expected_version = std::nullopt);
  bool set_active(long long id, bool active);
  bool remove(long long id);

 private:
  Database& database_;
};

}  // namespace tessera::db
