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
  // Adds "Name: value" to every request.
  void header(const std::string& line) { headers_.push_back(line); }
  // Presents a client certificate in the TLS handshake.
  void client_certificate(const std::string& cert_file, const std::string& key_file) {
    client_cert_ = cert_file;
    client_key_ = key_file;
  }
  // Offers only TLS 1.0 and 1.1, with OpenSSL's own floor lowered (SECLEVEL=0) so that the
  // client really offers them and a refusal comes from the server.
  void only_tls_1_1() { only_tls_ = 11; }
  // Offers only TLS 1.2 with the same lowered floor: the positive control of the above.
  void only_tls_1_2() { only_tls_ = 12; }
  // Closes each connection after its request; the next one resumes the TLS session.
  void new_connection_each_time() { forbid_reuse_ = true; }

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
  std::vector<std::string> headers_;
  int only_tls_ = 0;
  bool forbid_reuse_ = false;
};

}  // namespace tessera::testing
