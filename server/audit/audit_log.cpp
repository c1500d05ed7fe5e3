// The writer retries a failed batch (the database may be restarting) and only drops rows when
// the queue overflows, which it reports.
#include "server/audit/audit_log.hpp"

#include <spdlog/spdlog.h>

namespace tessera::audit {

AuditLog::AuditLog(db::AuditRepository& repository, AuditChain chain)
    : repository_(repository), chain_(std::move(chain)), writer_([this] { run(); }) {}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

void AuditLog::record(db::AuditEntry entry) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= kMaxQueued) {
      spdlog::error("audit queue full: dropping the oldest row ({})", queue_.front().action);
      queue_.pop_front();
      ++done_;
    }
    queue_.push_back(std::move(entry));
    ++recorded_;
    // The writer waits for the first row, then for a full batch (or kGather): only those two
    // moments need it woken.
    wake = queue_.size() == 1 || queue_.size() == kBatch;
  }
  if (wake) wake_.notify_one();
}

bool AuditLog::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const auto target = recorded_;
  ++flushing_;
  wake_.notify_all();
  const bool written =
      written_.wait_for(lock, timeout, [&] { return done_ >= target || stopping_; });
  --flushing_;
  return written;
}

void AuditLog::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return !queue_.empty() || stopping_; });
    if (queue_.empty() && stopping_) return;
    wake_.wait_for(lock, kGather,
                   [&] { return queue_.size() >= kBatch || stopping_ || flushing_ > 0; });
    std::vector<db::AuditEntry> batch;
    while (!queue_.empty() && batch.size() < kBatch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    bool written = false;
    try {
      repository_.append(
          batch, [this](const db::AuditEntry& e) { return chain_.link(e); },
          [this](const db::AuditHead& h) { return chain_.seal_head(h); });
      written = true;
    } catch (const std::exception& e) {
      spdlog::error("writing {} audit row(s) failed, will retry: {}", batch.size(), e.what());
    }
    lock.lock();
    if (written) {
      done_ += batch.size();
      written_.notify_all();
    } else {
      // Put the batch back in front, in order, and wait a moment before trying again.
      for (auto it = batch.rbegin(); it != batch.rend(); ++it) queue_.push_front(std::move(*it));
      if (stopping_) return;
      wake_.wait_for(lock, std::chrono::seconds(1));
    }
  }
}

}  // namespace tessera::audit
