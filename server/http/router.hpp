// Maps a request to its handler: a pure function from HttpRequest to HttpResponse, blocking,
// run on a worker thread. Turns every error into the JSON error envelope.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "server/http/http_message.hpp"

namespace tessera::http {

struct RequestContext {
  const HttpRequest& request;
  std::string path;                                // decoded, without the query
  boost::json::object params;                      // query, form or JSON body, merged
  std::map<std::string, std::string> path_params;  // from <name> segments
};

using Handler = std::function<HttpResponse(RequestContext&)>;

class Router {
 public:
  // pattern: "/healthz" or "/token/<serial>"; a trailing '/' is optional when matching.
  void add(std::string method, std::string pattern, Handler handler);

  HttpResponse handle(const HttpRequest& request) const noexcept;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

// Reads query string and body into one JSON object: application/json bodies must be objects;
// form bodies become string values. Throws ApiError for malformed or unsupported bodies.
boost::json::object parse_params(const HttpRequest& request, std::string_view query);

}  // namespace tessera::http
