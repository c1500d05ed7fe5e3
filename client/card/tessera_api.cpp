#include "client/card/tessera_api.hpp"

#include <curl/curl.h>

#include <memory>

#include <boost/json.hpp>

namespace tessera::card {
namespace {

size_t collect(char* data, size_t size, size_t count, void* out) {
  auto* text = static_cast<std::string*>(out);
  if (text->size() + size * count > (4u << 20)) return 0;  // an answer is small
  text->append(data, size * count);
  return size * count;
}

}  // namespace

boost::json::object TesseraApi::call(const std::string& method, const std::string& path,
                                     const boost::json::object& body) const {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) throw ApiFailure("cannot start an HTTP request");
  const auto url = url_ + path;
  const auto payload = boost::json::serialize(body);
  std::string answer;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("Authorization: " + token_).c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> owned(headers, &curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  if (method != "GET") curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, payload.c_str());
  if (!cacert_.empty()) curl_easy_setopt(curl.get(), CURLOPT_CAINFO, cacert_.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &answer);
  if (const auto rc = curl_easy_perform(curl.get()); rc != CURLE_OK)
    throw ApiFailure("the server at " + url_ + " cannot be reached: " + curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(answer, ec);
  const auto* envelope = !ec && parsed.is_object() ? &parsed.as_object() : nullptr;
  const auto* result = envelope ? envelope->if_contains("result") : nullptr;
  if (!result || !result->is_object())
    throw ApiFailure("the server answered HTTP " + std::to_string(status) + " without a result");
  const auto* ok = result->as_object().if_contains("status");
  if (status != 200 || !ok || !ok->is_bool() || !ok->as_bool()) {
    const auto* error = result->as_object().if_contains("error");
    const auto* message =
        error && error->is_object() ? error->as_object().if_contains("message") : nullptr;
    throw ApiFailure(message && message->is_string() ? std::string(message->as_string())
                                                     : "HTTP " + std::to_string(status));
  }
  boost::json::object out;
  if (const auto* value = result->as_object().if_contains("value")) out["value"] = *value;
  if (const auto* detail = envelope->if_contains("detail")) out["detail"] = *detail;
  return out;
}

}  // namespace tessera::card
