// A background thread that runs a task now and then every interval until the job is destroyed
// (which waits for a running task to finish). A task that throws is logged and runs again at
// its next turn. For the server's housekeeping: CRLs renewed before they expire, and later the
// pending-certificate poller and the outbox.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace tessera::jobs {

class PeriodicJob {
 public:
  PeriodicJob(std::string name, std::chrono::milliseconds interval, std::function<void()> task);
  ~PeriodicJob();
  PeriodicJob(const PeriodicJob&) = delete;
  PeriodicJob& operator=(const PeriodicJob&) = delete;

  // Runs the task again as soon as it is free, without waiting for the interval (nothing once
  // stopped).
  void wake();
  // Lets a running task finish and ends the thread; the destructor does the same.
  void stop();

  const std::string& name() const { return name_; }
  std::chrono::milliseconds interval() const { return interval_; }
  // When the task last finished (unix milliseconds, 0: not yet), and how many runs failed.
  long long last_run_ms() const { return last_run_ms_.load(); }
  long long failures() const { return failures_.load(); }

 private:
  void run();

  std::string name_;
  std::chrono::milliseconds interval_;
  std::function<void()> task_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
  std::atomic<long long> last_run_ms_{0};
  std::atomic<long long> failures_{0};
  std::thread thread_;
};

}  // namespace tessera::jobs
