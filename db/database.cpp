// Opens the pool with the per-dialect settings that make several processes share one file or
// server safely.
#include "db/database.hpp"

#include <poll.h>

#include <chrono>
#include <thread>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

namespace tessera::db {
namespace {

void configure(soci::session& sql, Dialect dialect) {
  if (dialect != Dialect::sqlite) return;
  // busy_timeout makes writers from other processes wait rather than fail at once.
  sql << "PRAGMA busy_timeout=10000";
  // WAL lets readers run beside one writer. Switching a new file to WAL needs a moment of
  // exclusive access, for which SQLite does not always wait: when another process is doing the
  // same at the same instant, try again.
  for (int attempt = 0;; ++attempt) {
    try {
      sql << "PRAGMA journal_mode=WAL";
      break;
    } catch (const soci::soci_error&) {
      if (attempt == 100) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  sql << "PRAGMA foreign_keys=ON";
  sql << "PRAGMA synchronous=NORMAL";
}

// A pooled PostgreSQL connection has nothing to read while idle: when its socket is readable
// (the server closed it, or said it is terminating the session) or libpq knows it is broken,
// the server side is gone, and the connection is replaced before a statement is sent on it.
bool connection_lost(soci::session& sql) noexcept {
  // Only called on PostgreSQL sessions (SOCI does not export the backend's type information).
  auto* backend = static_cast<soci::postgresql_session_backend*>(sql.get_backend());
  if (!backend || !backend->conn_ || PQstatus(backend->conn_) != CONNECTION_OK) return true;
  pollfd socket{PQsocket(backend->conn_), POLLIN, 0};
  return ::poll(&socket, 1, 0) != 0;
}

void open(soci::session& sql, const DatabaseUrl& url) {
  if (url.dialect == Dialect::sqlite)
    sql.open(*soci::factory_sqlite3(), url.connect_string);
  else
    sql.open(*soci::factory_postgresql(), url.connect_string);
  configure(sql, url.dialect);
}

}  // namespace

Database::Database(DatabaseUrl url, size_t pool_size)
    : url_(std::move(url)), pool_size_(pool_size), pool_(pool_size) {
  // SQLite's memory statistics take a global mutex on every allocation, and preparing a
  // statement allocates a lot: off, before the library initialises (later it has no effect).
  static const int memstatus_off =
      sqlite_api::sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);  // SOCI wraps sqlite3.h
  (void)memstatus_off;
  try {
    for (size_t i = 0; i < pool_size_; ++i) open(pool_.at(i), url_);
  } catch (const soci::soci_error& e) {
    throw DatabaseError("cannot open database " + url_.display + ": " + e.get_error_message());
  }
}

Database::~Database() = default;

Database::Lease::Lease(Database& database) : database_(database) {
  if (!database_.pool_.try_lease(position_, kLeaseTimeoutMs))
    throw DatabaseError("no database connection became free within " +
                        std::to_string(kLeaseTimeoutMs / 1000) + " s (database.pool_size)");
  // After a database restart or a failover every pooled connection is dead: each is replaced
  // here, before use, rather than failing one request each. A statement that fails later (the
  // server died while it ran) is not repeated: its outcome is unknown.
  auto& sql = database_.pool_.at(position_);
  if (database_.url_.dialect == Dialect::postgresql && connection_lost(sql)) {
    database_.forget_prepared(sql);
    database_.reconnect_after_failure(sql);
  }
}

bool Database::ping() noexcept {
  try {
    return with_session([](soci::session& sql) {
      int one = 0;
      sql << "SELECT 1", soci::into(one);
      return one == 1;
    });
  } catch (...) {
    return false;
  }
}

void Database::commit_together(const std::function<void(soci::session&)>& job, bool transaction) {
  QueuedWrite mine;
  mine.job = &job;
  mine.transaction = transaction;
  std::unique_lock lock(batch_mutex_);
  queued_.push_back(&mine);
  while (!mine.done) {
    if (leading_) {
      mine.wake.wait(lock);
      continue;
    }
    leading_ = true;
    std::vector<QueuedWrite*> batch;
    batch.swap(queued_);
    lock.unlock();
    try {
      run_batch(batch);
    } catch (...) {
      // Nothing of the batch was committed: every write in it fails alike.
      for (auto* write : batch) write->error = std::current_exception();
    }
    lock.lock();
    figures_.batches += 1;
    figures_.writes += batch.size();
    figures_.largest = std::max<unsigned long long>(figures_.largest, batch.size());
    // Wake the batch's writers, and the first of those queued meanwhile to lead the next
    // batch; the others sleep on (one wake each per batch they are in, not per batch).
    for (auto* write : batch) {
      write->done = true;
      if (write != &mine) write->wake.notify_one();
    }
    leading_ = false;
    if (!queued_.empty()) queued_.front()->wake.notify_one();
  }
  if (mine.error) std::rethrow_exception(mine.error);
}

void Database::run_batch(const std::vector<QueuedWrite*>& batch) {
  with_session([&](soci::session& sql) {
    if (batch.size() == 1 && !batch.front()->transaction) {
      (*batch.front()->job)(sql);
      return;
    }
    sql << "BEGIN IMMEDIATE";
    try {
      for (auto* write : batch) {
        sql << "SAVEPOINT queued_write";
        try {
          (*write->job)(sql);
        } catch (const soci::soci_error& e) {
          write->error =
              std::make_exception_ptr(DatabaseError("database error: " + e.get_error_message()));
        } catch (...) {
          write->error = std::current_exception();
        }
        // A write that failed leaves nothing behind; the others keep theirs.
        if (write->error) sql << "ROLLBACK TO queued_write";
        sql << "RELEASE queued_write";
      }
      sql << "COMMIT";
    } catch (...) {
      try {
        sql << "ROLLBACK";
      } catch (...) {  // the connection may be gone; the transaction ends with it
      }
      throw;
    }
  });
}

Database::GroupCommitFigures Database::group_commit_figures() const {
  std::lock_guard lock(batch_mutex_);
  auto figures = figures_;
  figures.waiting = queued_.size();
  return figures;
}

void Database::reconnect_after_failure(soci::session& session) noexcept {
  if (url_.dialect != Dialect::postgresql) return;
  try {
    session.reconnect();
    configure(session, url_.dialect);
  } catch (...) {  // still down: the next call tries again
  }
}

}  // namespace tessera::db
