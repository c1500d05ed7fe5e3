// Builds the envelope; "ERR<code>: " prefixes messages as eduMFA's clients expect.
#include "server/api/envelope.hpp"

#include <chrono>

#include <boost/json/serialize.hpp>

#include "server/util/utf8.hpp"

#ifndef TESSERA_VERSION
#define TESSERA_VERSION "0.0.0"
#endif

namespace tessera::api {
namespace {

boost::json::object envelope() {
  using namespace std::chrono;
  double now = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() / 1e6;
  return {{"jsonrpc", "2.0"},
          {"id", 1},
          {"version", "Tessera " TESSERA_VERSION},
          {"versionnumber", TESSERA_VERSION},
          {"time", now}};
}

http::HttpResponse respond(int status, const boost::json::object& body) {
  http::HttpResponse response;
  response.status = status;
  response.body = boost::json::serialize(body);
  return response;
}

}  // namespace

http::HttpResponse json_result(const boost::json::value& value, const boost::json::object& detail,
                               int http_status) {
  auto body = envelope();
  body["result"] = {{"status", true}, {"value", value}};
  if (detail.empty())
    body["detail"] = nullptr;
  else
    body["detail"] = detail;
  return respond(http_status, body);
}

http::HttpResponse validate_result(bool value, const char* authentication,
                                   const boost::json::object& detail) {
  auto body = envelope();
  body["id"] = 2;
  body["result"] = {{"status", true}, {"value", value}, {"authentication", authentication}};
  body["detail"] = detail;
  return respond(200, body);
}

http::HttpResponse json_error(int http_status, int code, const std::string& message) {
  auto body = envelope();
  body["result"] = {
      {"status", false},
      {"error",
       {{"code", code},
        {"message", "ERR" + std::to_string(code) + ": " + util::printable_utf8(message)}}}};
  body["detail"] = nullptr;
  return respond(http_status, body);
}

boost::json::object page_value(const char* name, boost::json::array items, long long count,
                               int page, int page_size) {
  const bool more = static_cast<long long>(page) * page_size < count;
  return {{name, std::move(items)},
          {"count", count},
          {"current", page},
          {"next", more ? boost::json::value(page + 1) : nullptr},
          {"prev", page > 1 ? boost::json::value(page - 1) : nullptr}};
}

}  // namespace tessera::api
