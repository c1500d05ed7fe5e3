// Outbound HTTP(S) with libcurl, for plugins (webhooks, CA protocols). Blocking: call from
// worker threads only. TLS peers are verified against the system's CA bundle (curl's default),
// redirects are not followed, the response body is capped and a request times out (10 s unless
// the plugin asks for another time, at most 60 s).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace tessera::plugins {

struct OutboundRequest {
  std::string method = "GET";
  std::string url;
  std::string headers;  // "Name: value" lines separated by CRLF
  std::string body;
  std::chrono::milliseconds timeout{10000};
  // Loopback, link-local and unspecified addresses are refused (checked on the address curl is
  // about to connect to, so no name can point there), except in these networks ("127.0.0.1",
  // "::1", "169.254.0.0/16").
  std::vector<std::string> allowed_networks;
  // The proxy to use ("http://proxy:3128"); empty: connect directly. The environment's
  // http_proxy/https_proxy/all_proxy are never used. Through a proxy the destination's own
  // addresses are resolved and checked before the request is sent.
  std::string proxy;
  std::string trusted_ca_pem;  // empty: the system's CAs
  uint32_t auth = 0;           // tessera_http_auth
  std::string username, password, keytab;
  std::string client_certificate_pem, client_key_pem;
};

struct OutboundResponse {
  bool ok = false;  // a response arrived
  long status = 0;
  std::string body;
  std::string headers;  // the final response's "Name: value\r\n" lines
  std::string error;    // why no response arrived
  bool login_refused = false;
  std::string refused_address;  // the destination plugins may not reach, when that was why  // no
                                // request was sent: the login was refused before (a KDC's no)
};

OutboundResponse perform_http(const OutboundRequest& request, size_t max_response_bytes);

// Whether a plugin may reach ip: not loopback, link-local or unspecified, unless allowed.
bool outbound_address_allowed(const std::string& ip, const std::vector<std::string>& allowed);

}  // namespace tessera::plugins
