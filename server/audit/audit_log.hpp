// Records one audit row per request without making the request wait for the database: rows go
// into a queue that a writer thread appends in batches (one transaction each), at most
// kGather after they were recorded.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "db/audit_repository.hpp"
#include "server/audit/audit_chain.hpp"

namespace tessera::audit {

class AuditLog {
 public:
  AuditLog(db::AuditRepository& repository, AuditChain chain);
  // Writes what is queued, then stops the writer.
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  void record(db::AuditEntry entry);
  // Waits until everything recorded so far is in the database; false when that took longer
  // than timeout (the database may be down: the rows stay queued).
  bool flush(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  const AuditChain& chain() const { return chain_; }

 private:
  void run();

  static constexpr size_t kMaxQueued = 100000;
  static constexpr size_t kBatch = 500;
  // How long the writer lets rows gather after the first one: under load a transaction then
  // carries hundreds of rows instead of a few (each commit rewrites the same index pages).
  static constexpr std::chrono::milliseconds kGather{20};

  db::AuditRepository& repository_;
  AuditChain chain_;
  std::mutex mutex_;
  std::condition_variable wake_, written_;
  std::deque<db::AuditEntry> queue_;
  unsigned long long recorded_ = 0, done_ = 0;
  unsigned flushing_ = 0;  // callers of flush waiting: the writer does not let rows gather
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace tessera::audit
