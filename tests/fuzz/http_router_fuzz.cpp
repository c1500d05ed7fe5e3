// What a client sends, from the point where Beast has framed the request: the input's lines are
// the method, the target (path and query), the Content-Type and the body. The router decodes the
// path, parses query, form, multipart or JSON parameters, matches the routes and runs the
// handler, which reads parameters the way the API does (api/params.cpp). Any input gives an
// answer, never a crash; an answer is always a JSON envelope or a plain status.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/api/params.hpp"
#include "server/http/router.hpp"

namespace {

using namespace tessera;

http::Router make_router() {
  http::Router router;
  auto reads_params = [](http::RequestContext& c) {
    http::HttpResponse response;
    response.body = api::string_param(c, "user") + api::required_param(c, "pass", 4096) +
                    std::to_string(api::int_param(c, "otplen", 6, 6, 8)) +
                    (api::bool_param(c, "genkey", false) ? "1" : "0");
    if (auto n = api::long_param(c, "page", 1, 1000000)) response.body += std::to_string(*n);
    if (const auto realm = api::string_param(c, "realm", 64); !realm.empty())
      api::check_identifier(realm, "realm");
    return response;
  };
  router.add("POST", "/validate/check", reads_params);
  router.add("GET", "/validate/check", reads_params);
  router.add("GET", "/token/<serial>", [](http::RequestContext& c) {
    http::HttpResponse response;
    response.body = c.path_params.at("serial");
    return response;
  });
  router.add("POST", "/token/init", reads_params, http::Access::authenticated);
  router.set_authenticator([](const http::HttpRequest&) -> auth::Identity {
    throw std::runtime_error("no login in the fuzzer");
  });
  return router;
}

std::string_view next_line(std::string_view& rest) {
  const auto end = rest.find('\n');
  const auto line = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const http::Router router = make_router();
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  http::HttpRequest request;
  request.method = next_line(rest);
  request.target = next_line(rest);
  request.headers.emplace_back("content-type", next_line(rest));
  request.body = rest;
  request.remote_address = "127.0.0.1";
  const auto response = router.handle(request);
  if (response.status < 100 || response.status > 599) __builtin_trap();
  return 0;
}
