// A small blocking HTTP(S) client for tests (libcurl), independent of the server's own code.
#pragma once

#include <string>
#include <vector>

#include <curl/curl.h>

namespace tessera::testing {

struct TestResponse {
  long status = 0;
  std::string body;
  std::string content_type;
  std::string error;  // set when no response arrived
  long new_connections = 0;
};

class TestHttpClient {
 public:
  TestHttpClient();
  ~TestHttpClient();
  TestHttpClient(const TestHttpClient&) = delete;
  TestHttpClient& operator=(const TestHttpClient&) = delete;

  void trust(const std::string& ca_file) { ca_file_ = ca_file; }
  // Presents a client certificate in the TLS handshake.
  void client_certificate(const std::string& cert_file, const std::string& key_file) {
    client_cert_ = cert_file;
    client_key_ = key_file;
  }
  // Caps the TLS version offered, to check that old versions are refused.
  void max_tls_1_1() { max_tls_1_1_ = true; }

  TestResponse get(const std::string& url) { return request("GET", url, "", ""); }
  TestResponse post(const std::string& url, const std::string& body,
                    const std::string& content_type) {
    return request("POST", url, body, content_type);
  }
  TestResponse request(const std::string& method, const std::string& url, const std::string& body,
                       const std::string& content_type);

 private:
  CURL* curl_;  // one handle, so connections are reused (keep-alive)
  std::string ca_file_;
  std::string client_cert_, client_key_;
  bool max_tls_1_1_ = false;
};

}  // namespace tessera::testing
