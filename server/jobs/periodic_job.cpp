#include "server/jobs/periodic_job.hpp"

#include <spdlog/spdlog.h>

namespace tessera::jobs {

PeriodicJob::PeriodicJob(std::string name, std::chrono::milliseconds interval,
                         std::function<void()> task)
    : name_(std::move(name)), interval_(interval), task_(std::move(task)) {
  thread_ = std::thread([this] { run(); });
}

PeriodicJob::~PeriodicJob() {
  stop();
}

void PeriodicJob::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void PeriodicJob::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void PeriodicJob::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      task_();
    } catch (const std::exception& e) {
      ++failures_;
      spdlog::warn("background job {} failed: {}", name_, e.what());
    }
    last_run_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_ || woken_; });
    woken_ = false;
  }
}

}  // namespace tessera::jobs
