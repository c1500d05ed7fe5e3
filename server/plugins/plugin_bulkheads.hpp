// Each plugin's share of the server's calls (a bulkhead), and each plugin's figures for
// /metrics. Each component of a plugin (a token type, a CA connector type, a notification
// action) has at most the plugin's limit of calls at once, counted until a call really ends: a
// call that passed its deadline keeps its place while the plugin is stuck in it. A call finds a
// place within a short wait (a plugin that answers in microseconds frees one at once); a slow or
// hanging plugin soon has none, and its further calls are refused (at once when its oldest call
// has already run longer than the wait; 503, or
// "later" for the poller and the outbox) instead of holding the workers every other plugin and
// the host's own endpoints need.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace tessera::plugins {

class PluginBulkheads {
 public:
  // limits: per plugin id, for each of its components; the others get default_limit.
  PluginBulkheads(unsigned default_limit, std::map<std::string, unsigned> limits)
      : default_limit_(default_limit), limits_(std::move(limits)) {}

  // A place for one call of plugin's component, waiting at most wait for one; empty when none
  // came free. It is given back when the last copy of it goes (give a copy to whatever runs the
  // call).
  std::shared_ptr<void> enter(const std::string& plugin, const std::string& component,
                              std::chrono::milliseconds wait = std::chrono::milliseconds(100));

  enum class Outcome { ok, failed, deadline, busy };
  void record(const std::string& plugin, const std::string& component, const std::string& operation,
              Outcome outcome, double seconds);

  // Prometheus text: tessera_plugin_calls_total{plugin,component,operation,outcome},
  // tessera_plugin_calls_in_flight{plugin,component}, tessera_plugin_call_limit{plugin,component},
  // tessera_plugin_call_seconds (histogram){plugin,component}.
  std::string render() const;

 private:
  static constexpr std::array<double, 10> kBuckets{0.001, 0.005, 0.01, 0.05, 0.1,
                                                   0.5,   1.0,   5.0,  30.0, 60.0};
  struct Figures {
    unsigned limit = 0;
    unsigned in_flight = 0;
    std::multiset<std::chrono::steady_clock::time_point> started;  // of the calls in flight
    std::map<std::pair<std::string, Outcome>, unsigned long> calls;
    std::array<unsigned long, kBuckets.size()> buckets{};
    unsigned long count = 0;
    double sum = 0;
  };
  // Shared with the places handed out: a call stuck past the server's end gives its place back
  // to what is still there.
  struct Shared {
    std::mutex mutex;
    std::condition_variable freed;
    std::map<std::pair<std::string, std::string>, Figures> plugins;  // by plugin and component
  };
  Figures& figures(const std::string& plugin, const std::string& component);  // mutex held

  unsigned default_limit_;
  std::map<std::string, unsigned> limits_;
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
};

}  // namespace tessera::plugins
