#include "tests/support/test_http_client.hpp"

namespace tessera::testing {
namespace {
size_t append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}
}  // namespace

TestHttpClient::TestHttpClient() : curl_(curl_easy_init()) {}
TestHttpClient::~TestHttpClient() {
  curl_easy_cleanup(curl_);
}

TestResponse TestHttpClient::request(const std::string& method, const std::string& url,
                                     const std::string& body, const std::string& content_type) {
  TestResponse response;
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 20L);
  if (!ca_file_.empty()) curl_easy_setopt(curl_, CURLOPT_CAINFO, ca_file_.c_str());
  if (!client_cert_.empty()) {
    curl_easy_setopt(curl_, CURLOPT_SSLCERT, client_cert_.c_str());
    curl_easy_setopt(curl_, CURLOPT_SSLKEY, client_key_.c_str());
  }
  if (only_tls_) {
    curl_easy_setopt(curl_, CURLOPT_SSL_CIPHER_LIST, "DEFAULT:@SECLEVEL=0");
    curl_easy_setopt(curl_, CURLOPT_SSLVERSION,
                     only_tls_ == 11 ? static_cast<long>(CURL_SSLVERSION_TLSv1_0) |
                                           static_cast<long>(CURL_SSLVERSION_MAX_TLSv1_1)
                                     : static_cast<long>(CURL_SSLVERSION_TLSv1_2) |
                                           static_cast<long>(CURL_SSLVERSION_MAX_TLSv1_2));
  }
  curl_easy_setopt(curl_, CURLOPT_FORBID_REUSE, forbid_reuse_ ? 1L : 0L);
  curl_slist* headers = nullptr;
  for (const auto& line : headers_) headers = curl_slist_append(headers, line.c_str());
  if (!content_type.empty())
    headers = curl_slist_append(headers, ("Content-Type: " + content_type).c_str());
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
  if (method == "POST" || method == "PUT" || !body.empty()) {
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  } else {
    curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &response.body);
  CURLcode rc = curl_easy_perform(curl_);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    response.error = curl_easy_strerror(rc);
    return response;
  }
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &response.status);
  char* type = nullptr;
  curl_easy_getinfo(curl_, CURLINFO_CONTENT_TYPE, &type);
  if (type) response.content_type = type;
  curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &response.new_connections);
  return response;
}

}  // namespace tessera::testing
