// Optimistic locking for what admins edit in forms (policies, realms, resolvers, users, event
// handlers): every save increments the row's version, and a save that names the version its form
// was read with is refused when another save came in between. The check runs inside the save's
// transaction, after the write, on the version the write produced: two racing saves of one
// version cannot both pass, on SQLite or PostgreSQL.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

namespace tessera::db {

class StaleVersion : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// version_now: the row's version after this write (1 for a row just made). expected: the version
// the caller read (0: the row must not exist yet); none: no check, for clients that send none.
// what: "policy 'p1'". Throws StaleVersion, which rolls the transaction back.
inline void require_version(long long version_now, std::optional<long long> expected,
                            const std::string& what) {
  if (!expected || version_now == *expected + 1) return;
  if (*expected == 0) throw StaleVersion(what + " exists already: reload it to edit it");
  if (version_now == 1) throw StaleVersion(what + " was deleted by someone else since you read it");
  throw StaleVersion(what + " was changed by someone else since you read it (version " +
                     std::to_string(*expected) + ", now " + std::to_string(version_now - 1) +
                     "): reload it and save again");
}

}  // namespace tessera::db
