// Request metrics in Prometheus text format: requests by route and status, a latency histogram
// per route, and the number of requests in flight.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace tessera::api {

class Metrics {
 public:
  void record(const std::string& route, int status, double seconds);
  void request_started() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void request_finished() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
  long in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

  std::string render() const;
  // Figures kept elsewhere (the plugins'), appended to what render gives; set before serving.
  void append(std::function<std::string()> section) { sections_.push_back(std::move(section)); }

 private:
  static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  struct Histogram {
    std::array<unsigned long, kBuckets.size()> buckets{};
    unsigned long count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, unsigned long> requests_;
  std::map<std::string, Histogram> latency_;
  std::atomic<long> in_flight_{0};
  std::vector<std::function<std::string()>> sections_;
};

}  // namespace tessera::api
