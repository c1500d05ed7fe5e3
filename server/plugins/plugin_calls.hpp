// Runs plugin calls on threads of their own, each with a deadline. A plugin cannot be stopped
// in the middle of a call, so a call that passes its deadline is answered as failed (closed)
// at once and left to finish on its thread; the HTTP workers, /healthz and the outbox go on.
// Calls still waiting for a thread when their deadline passes are never started.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tessera/abi/tessera_plugin_abi.h"

namespace tessera::plugins {

// How long each kind of call may take.
struct CallDeadlines {
  std::chrono::milliseconds token_type{5000};
  std::chrono::milliseconds ca_connector{60000};
  std::chrono::milliseconds notification{30000};
  // Making an instance (a CA connector may create its CA key there).
  std::chrono::milliseconds create{60000};

  std::chrono::milliseconds of(tessera_component_kind kind) const;
};

class PluginCalls {
 public:
  // Starts min_threads threads; more are started (up to max_threads) while every thread is
  // busy, so a few stalled plugins do not hold the calls of the others.
  PluginCalls(CallDeadlines deadlines, unsigned min_threads = 4, unsigned max_threads = 64);
  ~PluginCalls();
  PluginCalls(const PluginCalls&) = delete;
  PluginCalls& operator=(const PluginCalls&) = delete;

  const CallDeadlines& deadlines() const { return deadlines_; }

  // Runs call on a plugin thread and waits at most deadline. False when the deadline passed
  // (call may still run later and must own everything it touches).
  bool run(std::function<void()> call, std::chrono::milliseconds deadline);

  // Calls that passed their deadline and are still running, for /metrics.
  unsigned stalled() const;

 private:
  struct Job;
  void work();

  CallDeadlines deadlines_;
  unsigned max_threads_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::vector<std::thread> threads_;
  unsigned idle_ = 0;
  unsigned stalled_ = 0;
  bool stopping_ = false;
};

}  // namespace tessera::plugins
