// Prometheus exposition format 0.0.4, rendered on demand.
#include "server/api/metrics.hpp"

#include <sstream>

namespace tessera::api {
namespace {

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void Metrics::record(const std::string& route, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, status}];
  auto& h = latency_[route];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::render() const {
  std::ostringstream out;
  std::lock_guard lock(mutex_);
  out << "# HELP tessera_http_requests_total HTTP requests answered, by route and status.\n"
         "# TYPE tessera_http_requests_total counter\n";
  for (const auto& [key, count] : requests_)
    out << "tessera_http_requests_total{route=\"" << escape_label(key.first) << "\",status=\""
        << key.second << "\"} " << count << "\n";
  out << "# HELP tessera_http_request_duration_seconds Time from reading a request to writing "
         "its response.\n"
         "# TYPE tessera_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    const auto label = escape_label(route);
    for (size_t i = 0; i < kBuckets.size(); ++i)
      out << "tessera_http_request_duration_seconds_bucket{route=\"" << label << "\",le=\""
          << kBuckets[i] << "\"} " << h.buckets[i] << "\n";
    out << "tessera_http_request_duration_seconds_bucket{route=\"" << label << "\",le=\"+Inf\"} "
        << h.count << "\n";
    out << "tessera_http_request_duration_seconds_sum{route=\"" << label << "\"} " << h.sum << "\n";
    out << "tessera_http_request_duration_seconds_count{route=\"" << label << "\"} " << h.count
        << "\n";
  }
  out << "# HELP tessera_http_requests_in_flight Requests being handled now.\n"
         "# TYPE tessera_http_requests_in_flight gauge\n"
         "tessera_http_requests_in_flight "
      << in_flight() << "\n";
  for (const auto& section : sections_) out << section();
  return out.str();
}

}  // namespace tessera::api
