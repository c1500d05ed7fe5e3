// Rows of the audit log. Appending assigns ids and links each row to the previous one under a
// lock on the chain's head, so several server processes extend one unbroken chain.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace tessera::db {

struct AuditEntry {
  long long id = 0;
  long long time_us = 0;  // Unix time in microseconds
  long long duration_us = 0;
  std::string action;  // "POST /auth"
  bool success = false;
  // username/realm: whose object it was; actor_user/actor_realm: the user who asked (empty
  // when an administrator asked, named in administrator, or nobody logged in, as in /validate).
  std::string serial, token_type, username, realm, administrator, client, policies, info;
  std::string prev_hash, hash;
  std::string actor_user, actor_realm;
};

struct AuditFilter {
  std::string action, username, realm, serial, administrator, actor_user, actor_realm;
  std::optional<bool> success;
  // A user's own view: rows they asked for, and rows about them that no other user asked for.
  bool own_view = false;
  long long since_us = 0, until_us = 0;  // time_us in [since_us, until_us); 0: unbounded
};

struct AuditPage {
  std::vector<AuditEntry> entries;  // newest first
  long long total = 0;
};

struct AuditHead {
  long long last_id = 0;
  std::string last_hash;
  std::string mac;  // keyed hash of (last_id, last_hash)
};

class AuditRepository {
 public:
  explicit AuditRepository(Database& database) : database_(database) {}

  // Stores entries in order; link(entry) computes entry.hash once id and prev_hash are set;
  // seal_head(head) computes the head's mac.
  void append(std::vector<AuditEntry>& entries,
              const std::function<std::string(const AuditEntry&)>& link,
              const std::function<std::string(const AuditHead&)>& seal_head);

  AuditPage search(const AuditFilter& filter, int page, int page_size);

  // Calls visit for every row with id <= last_id in id order; stops when visit returns false.
  void scan(long long last_id, const std::function<bool(const AuditEntry&)>& visit);
  AuditHead head();

 private:
  Database& database_;
};

}  // namespace tessera::db
