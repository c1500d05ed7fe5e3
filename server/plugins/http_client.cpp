// One curl easy handle per request: simple, and correct across threads.
#include "server/plugins/http_client.hpp"

#include <memory>
#include <sstream>

#include <curl/curl.h>

namespace tessera::plugins {
namespace {

struct Body {
  std::string text;
  size_t limit;
  bool truncated = false;
};

size_t on_data(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<Body*>(user);
  size_t n = size * count;
  if (body->text.size() + n > body->limit) {
    body->truncated = true;
    return 0;  // aborts the transfer
  }
  body->text.append(data, n);
  return n;
}

struct CurlCleanup {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

OutboundResponse perform_http(const OutboundRequest& request, size_t max_response_bytes) {
  OutboundResponse response;
  if (request.url.rfind("http://", 0) != 0 && request.url.rfind("https://", 0) != 0) {
    response.error = "only http:// and https:// URLs are allowed";
    return response;
  }
  std::unique_ptr<CURL, CurlCleanup> curl(curl_easy_init());
  if (!curl) {
    response.error = "curl_easy_init failed";
    return response;
  }
  std::unique_ptr<curl_slist, CurlCleanup> headers;
  std::istringstream lines(request.headers);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) headers.reset(curl_slist_append(headers.release(), line.c_str()));
  }
  Body body{{}, max_response_bytes};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    response.error = body.truncated ? "the response is larger than " +
                                          std::to_string(max_response_bytes) + " bytes"
                                    : curl_easy_strerror(rc);
    return response;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  response.ok = true;
  response.body = std::move(body.text);
  return response;
}

}  // namespace tessera::plugins
