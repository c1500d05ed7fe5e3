// The connection pool every repository borrows sessions from. Thread-safe; a borrowed session
// is used by one thread at a time. Blocking: call only from worker threads or at start.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <typeindex>
#include <vector>

#include <soci/connection-pool.h>
#include <soci/session.h>
#include <soci/statement.h>

#include "db/database_url.hpp"

namespace tessera::db {

// The database could not be reached or failed; maps to HTTP 500/503, never to bad input.
class DatabaseError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Database {
 public:
  // Opens pool_size connections; throws DatabaseError naming the (password-free) URL.
  Database(DatabaseUrl url, size_t pool_size);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Dialect dialect() const { return url_.dialect; }
  const DatabaseUrl& url() const { return url_; }

  // Runs fn with a pooled session; SOCI errors become DatabaseError. A PostgreSQL connection
  // found dead when leased (a restart, a failover) is replaced before fn runs; one that fails
  // while fn runs is reopened after, so the next call can succeed; fn is never run twice.
  // Waits at most lease_timeout for a free connection.
  template <class Fn>
  auto with_session(Fn&& fn) {
    Lease lease(*this);
    try {
      return fn(lease.session());
    } catch (const soci::soci_error& e) {
      forget_prepared(lease.session());
      reconnect_after_failure(lease.session());
      // get_error_message() leaves out the statement and its bound values, which may be
      // secrets or personal data: this message may reach a log.
      throw DatabaseError("database error: " + e.get_error_message());
    }
  }

  // Runs fn inside a write transaction that is rolled back if fn throws. On SQLite it joins
  // the group commit (see write) as one job that always runs inside a transaction, so its
  // statements commit together and a throw rolls back all of them; fn must not call write or
  // in_transaction itself. On PostgreSQL it is a transaction of its own.
  template <class Fn>
  auto in_transaction(Fn&& fn) {
    if (url_.dialect == Dialect::sqlite) return queue_write(fn, /*transaction=*/true);
    return with_session([&](soci::session& sql) {
      sql << "BEGIN";
      try {
        if constexpr (std::is_void_v<decltype(fn(sql))>) {
          fn(sql);
          sql << "COMMIT";
        } else {
          auto result = fn(sql);
          sql << "COMMIT";
          return result;
        }
      } catch (...) {
        try {
          sql << "ROLLBACK";
        } catch (...) {  // the connection may be gone; the transaction ends with it
        }
        throw;
      }
    });
  }

  // Runs fn, which writes, with a pooled session, and returns after its change is committed.
  // PostgreSQL writers run in parallel (correctness comes from the statements, never from a
  // lock here). On SQLite, which allows one writer at a time, every write of this process
  // (write and in_transaction) is committed together with those that queued beside it (group
  // commit, see commit_together): fn may run on another writer's thread and session, in a
  // savepoint of its own inside a transaction shared with the others. Its outcome is its own
  // either way: a throw rolls back fn's statements alone and is rethrown here, and nothing
  // returns before the transaction is committed. fn must not call write or in_transaction.
  template <class Fn>
  auto write(Fn&& fn) {
    if (url_.dialect != Dialect::sqlite)
      return with_session([&](soci::session& sql) { return fn(sql); });
    return queue_write(fn, /*transaction=*/false);
  }

  // How the group commit has gone: transactions and the writes they carried.
  struct GroupCommitFigures {
    unsigned long long batches = 0, writes = 0, largest = 0;
    size_t waiting = 0;  // writes queued for the next batch right now
  };
  GroupCommitFigures group_commit_figures() const;

  // A statement prepared once per pooled connection and then reused: for the statements of
  // /validate/check, SQLite spent more time preparing than running them. Query(session)
  // prepares a statement bound to its own members; the caller sets them and executes. Only
  // the thread that leased sql touches the object, so it needs no lock of its own.
  template <class Query>
  Query& prepared(soci::session& sql) {
    std::lock_guard lock(prepared_mutex_);
    auto& slot = prepared_[&sql][std::type_index(typeid(Query))];
    if (!slot) slot = std::make_shared<Query>(sql);
    return *static_cast<Query*>(slot.get());
  }

  // Runs a prepared single-row SELECT; returns copy() of its row, or nullopt. The statement is
  // stepped to its end: a SQLite statement left on a row keeps its read transaction open,
  // which holds back checkpoints and makes the next write on that connection fail at once.
  template <class Copy>
  static auto fetch_one(soci::statement& statement, Copy&& copy)
      -> std::optional<decltype(copy())> {
    statement.execute();
    if (!statement.fetch()) return std::nullopt;
    auto row = copy();
    while (statement.fetch()) {
    }
    return row;
  }

  // Answers whether the database responds right now.
  bool ping() noexcept;

 private:
  static constexpr int kLeaseTimeoutMs = 10000;

  void forget_prepared(soci::session& session) {
    std::lock_guard lock(prepared_mutex_);
    prepared_.erase(&session);
  }

  // SQLite's writers: each queues its job; the first that finds no batch running leads one:
  // it takes every job queued so far, runs them in one BEGIN IMMEDIATE transaction on its
  // session, each between SAVEPOINT and RELEASE (ROLLBACK TO on a throw), commits, and wakes
  // the others. Only one batch runs at a time, so the process's SQLite writers never wait in
  // SQLite's busy handler for each other. A plain write alone runs without a transaction.
  struct QueuedWrite {
    const std::function<void(soci::session&)>* job = nullptr;
    bool transaction = false;  // its statements need a transaction even when it runs alone
    std::exception_ptr error;
    bool done = false;
    // Woken when its batch is committed, or to lead the next batch: a writer sleeps through the
    // batches it is not in.
    std::condition_variable wake;
  };
  template <class Fn>
  auto queue_write(Fn& fn, bool transaction) {
    using Result = decltype(fn(std::declval<soci::session&>()));
    if constexpr (std::is_void_v<Result>) {
      commit_together([&](soci::session& sql) { fn(sql); }, transaction);
    } else {
      std::optional<Result> result;
      commit_together([&](soci::session& sql) { result.emplace(fn(sql)); }, transaction);
      return std::move(*result);
    }
  }
  void commit_together(const std::function<void(soci::session&)>& job, bool transaction);
  void run_batch(const std::vector<QueuedWrite*>& batch);
  mutable std::mutex batch_mutex_;
  std::vector<QueuedWrite*> queued_;
  bool leading_ = false;
  GroupCommitFigures figures_;

  // A connection borrowed from the pool for one call.
  class Lease {
   public:
    explicit Lease(Database& database);
    ~Lease() { database_.pool_.give_back(position_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    soci::session& session() { return database_.pool_.at(position_); }

   private:
    Database& database_;
    size_t position_ = 0;
  };

  void reconnect_after_failure(soci::session& session) noexcept;
  DatabaseUrl url_;
  size_t pool_size_;
  soci::connection_pool pool_;
  // Declared after the pool: destroyed before the connections they belong to.
  std::mutex prepared_mutex_;
  std::map<const soci::session*, std::map<std::type_index, std::shared_ptr<void>>> prepared_;
};

}  // namespace tessera::db
