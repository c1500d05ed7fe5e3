#include "server/plugins/plugin_calls.hpp"

#include <spdlog/spdlog.h>

namespace tessera::plugins {

std::chrono::milliseconds CallDeadlines::of(tessera_component_kind kind) const {
  switch (kind) {
    case TESSERA_COMPONENT_TOKEN_TYPE:
      return token_type;
    case TESSERA_COMPONENT_CA_CONNECTOR:
      return ca_connector;
    case TESSERA_COMPONENT_NOTIFICATION_ACTION:
      return notification;
  }
  return token_type;
}

struct PluginCalls::Job {
  std::function<void()> call;
  std::mutex mutex;
  std::condition_variable finished_signal;
  bool started = false;
  bool finished = false;
  bool abandoned = false;  // its caller stopped waiting
};

PluginCalls::PluginCalls(CallDeadlines deadlines, unsigned min_threads, unsigned max_threads)
    : deadlines_(deadlines), max_threads_(std::max(max_threads, min_threads)) {
  std::lock_guard lock(mutex_);
  for (unsigned i = 0; i < min_threads; ++i) threads_.emplace_back([this] { work(); });
}

PluginCalls::~PluginCalls() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  // A thread stuck in a plugin would hold the exit: it is left to the process's end.
  for (auto& thread : threads_) thread.detach();
}

bool PluginCalls::run(std::function<void()> call, std::chrono::milliseconds deadline) {
  auto job = std::make_shared<Job>();
  job->call = std::move(call);
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(job);
    if (idle_ == 0 && threads_.size() < max_threads_) threads_.emplace_back([this] { work(); });
  }
  wake_.notify_one();
  std::unique_lock lock(job->mutex);
  if (job->finished_signal.wait_for(lock, deadline, [&] { return job->finished; })) return true;
  job->abandoned = true;
  if (job->started) {
    std::lock_guard count(mutex_);
    ++stalled_;
  }
  return false;
}

unsigned PluginCalls::stalled() const {
  std::lock_guard lock(mutex_);
  return stalled_;
}

void PluginCalls::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_;
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    --idle_;
    if (stopping_) return;
    auto job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    bool run = false;
    {
      std::lock_guard state(job->mutex);
      run = !job->abandoned;  // a call whose caller gave up before it started never runs
      job->started = run;
    }
    if (run) job->call();  // the call is the host's wrapper: it never throws
    bool late = false;
    {
      std::lock_guard state(job->mutex);
      job->finished = true;
      late = job->abandoned && run;
    }
    job->finished_signal.notify_all();
    lock.lock();
    if (late) --stalled_;
  }
}

}  // namespace tessera::plugins
