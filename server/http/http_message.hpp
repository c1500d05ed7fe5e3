// Plain request and response values, so that the router and every API handler stay free of
// Beast: only session.cpp converts between these and Beast's types.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera::http {

struct HttpRequest {
  std::string method;                                        // "GET", "POST", ...
  std::string target;                                        // path and query as received
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string remote_address;
  bool tls = false;
  std::string client_certificate_pem;  // the TLS client certificate, when one was presented

  // The first value of a header (name in lower case), or empty.
  std::string_view header(std::string_view name) const {
    for (const auto& [n, v] : headers)
      if (n == name) return v;
    return {};
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string route = "unmatched";  // the route pattern, for metrics
  bool close = false;               // end the connection after this response
};

}  // namespace tessera::http
