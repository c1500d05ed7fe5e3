// Outbound HTTP(S) with libcurl, for plugins (webhooks, CA protocols). Blocking: call from
// worker threads only.
#pragma once

#include <chrono>
#include <string>

namespace tessera::plugins {

struct OutboundRequest {
  std::string method = "GET";
  std::string url;
  std::string headers;  // "Name: value" lines separated by CRLF
  std::string body;
  std::chrono::milliseconds timeout{10000};
};

struct OutboundResponse {
  bool ok = false;  // a response arrived
  long status = 0;
  std::string body;
  std::string error;  // why no response arrived
};

OutboundResponse perform_http(const OutboundRequest& request, size_t max_response_bytes);

}  // namespace tessera::plugins
