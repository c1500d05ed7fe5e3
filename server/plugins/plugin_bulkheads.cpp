#include "server/plugins/plugin_bulkheads.hpp"

#include <sstream>

namespace tessera::plugins {
namespace {

const char* name_of(PluginBulkheads::Outcome outcome) {
  switch (outcome) {
    case PluginBulkheads::Outcome::ok:
      return "ok";
    case PluginBulkheads::Outcome::failed:
      return "failed";
    case PluginBulkheads::Outcome::deadline:
      return "deadline";
    case PluginBulkheads::Outcome::busy:
      return "busy";
  }
  return "?";
}

}  // namespace

PluginBulkheads::Figures& PluginBulkheads::figures(const std::string& plugin,
                                                   const std::string& component) {
  auto [it, added] = shared_->plugins.try_emplace({plugin, component});
  if (added) {
    const auto limit = limits_.find(plugin);
    it->second.limit = limit != limits_.end() ? limit->second : default_limit_;
  }
  return it->second;
}

std::shared_ptr<void> PluginBulkheads::enter(const std::string& plugin,
                                             const std::string& component,
                                             std::chrono::milliseconds wait) {
  std::unique_lock lock(shared_->mutex);
  auto& f = figures(plugin, component);
  // A component whose oldest call has run longer than the wait frees no place within it: its
  // calls are refused at once instead of holding a worker for the wait.
  const auto now = std::chrono::steady_clock::now();
  if (f.in_flight >= f.limit && !f.started.empty() && now - *f.started.begin() > wait)
    return nullptr;
  if (!shared_->freed.wait_for(lock, wait, [&] { return f.in_flight < f.limit; })) return nullptr;
  ++f.in_flight;
  const auto started = f.started.insert(std::chrono::steady_clock::now());
  // The place goes back when its last holder lets go (the call's thread, when it really ends).
  // (It points at the shared figures only to be non-empty; the deleter frees nothing.)
  return std::shared_ptr<void>(shared_.get(),
                               [shared = shared_, plugin, component, started](void*) {
                                 {
                                   std::lock_guard unlock(shared->mutex);
                                   auto& figures = shared->plugins.at({plugin, component});
                                   --figures.in_flight;
                                   figures.started.erase(started);
                                 }
                                 shared->freed.notify_all();
                               });
}

void PluginBulkheads::record(const std::string& plugin, const std::string& component,
                             const std::string& operation, Outcome outcome, double seconds) {
  std::lock_guard lock(shared_->mutex);
  auto& f = figures(plugin, component);
  ++f.calls[{operation, outcome}];
  if (outcome == Outcome::busy) return;
  ++f.count;
  f.sum += seconds;
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++f.buckets[i];
}

std::string PluginBulkheads::render() const {
  std::lock_guard lock(shared_->mutex);
  std::ostringstream out;
  const auto labels = [](const std::pair<std::string, std::string>& key) {
    return "plugin=\"" + key.first + "\",component=\"" + key.second + "\"";
  };
  out << "# HELP tessera_plugin_calls_total Calls into plugins by operation and outcome.\n"
         "# TYPE tessera_plugin_calls_total counter\n";
  for (const auto& [key, f] : shared_->plugins)
    for (const auto& [call, count] : f.calls)
      out << "tessera_plugin_calls_total{" << labels(key) << ",operation=\"" << call.first
          << "\",outcome=\"" << name_of(call.second) << "\"} " << count << "\n";
  out << "# HELP tessera_plugin_calls_in_flight Calls a plugin is in now (passed deadlines too).\n"
         "# TYPE tessera_plugin_calls_in_flight gauge\n";
  for (const auto& [key, f] : shared_->plugins)
    out << "tessera_plugin_calls_in_flight{" << labels(key) << "} " << f.in_flight << "\n";
  out << "# HELP tessera_plugin_call_limit Calls a plugin may be in at once "
         "(plugins.concurrency).\n"
         "# TYPE tessera_plugin_call_limit gauge\n";
  for (const auto& [key, f] : shared_->plugins)
    out << "tessera_plugin_call_limit{" << labels(key) << "} " << f.limit << "\n";
  out << "# HELP tessera_plugin_call_seconds How long plugin calls took (until the answer or the "
         "deadline).\n# TYPE tessera_plugin_call_seconds histogram\n";
  for (const auto& [key, f] : shared_->plugins) {
    for (size_t i = 0; i < kBuckets.size(); ++i)
      out << "tessera_plugin_call_seconds_bucket{" << labels(key) << ",le=\"" << kBuckets[i]
          << "\"} " << f.buckets[i] << "\n";
    out << "tessera_plugin_call_seconds_bucket{" << labels(key) << ",le=\"+Inf\"} " << f.count
        << "\n"
        << "tessera_plugin_call_seconds_sum{" << labels(key) << "} " << f.sum << "\n"
        << "tessera_plugin_call_seconds_count{" << labels(key) << "} " << f.count << "\n";
  }
  return out.str();
}

}  // namespace tessera::plugins
