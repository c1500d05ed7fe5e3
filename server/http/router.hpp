// Maps a request to its handler: a pure function from HttpRequest to HttpResponse, blocking,
// run on a worker thread. Turns every error into the JSON error envelope.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <chrono>
#include <optional>

#include <boost/json/object.hpp>

#include "server/auth/identity.hpp"
#include "server/http/http_message.hpp"

namespace tessera::http {

// What a handler tells the audit log about its request, beyond what the router knows.
struct AuditDetails {
  std::string serial;
  std::string token_type;
  std::string user;
  std::string realm;
  std::string policies;  // names of the policies that matched, comma-separated
  std::string info;
  std::optional<bool> success;  // the outcome, when it is not the HTTP status (a rejected OTP)
};

struct RequestContext {
  const HttpRequest& request;
  std::string path;                                // decoded, without the query
  boost::json::object params;                      // query, form or JSON body, merged
  std::map<std::string, std::string> path_params;  // from <name> segments
  std::optional<auth::Identity> identity;          // set on authenticated routes and by /auth
  AuditDetails audit;
};

using Handler = std::function<HttpResponse(RequestContext&)>;

enum class Access {
  anyone,        // no login needed (/auth, /healthz, later /validate/check)
  authenticated  // a valid JWT; the handler checks what the identity may do
};

// Establishes the identity of a request or throws api::ApiError (401).
using Authenticator = std::function<auth::Identity(const HttpRequest&)>;

// Sees every answered request: the context is null when the request never reached a handler
// (unknown route, malformed target).
using RequestObserver = std::function<void(const HttpRequest&, const RequestContext*,
                                           const HttpResponse&, std::chrono::microseconds)>;

class Router {
 public:
  // pattern: "/healthz" or "/token/<serial>"; a trailing '/' is optional when matching.
  void add(std::string method, std::string pattern, Handler handler,
           Access access = Access::anyone);
  void set_authenticator(Authenticator authenticator) { authenticator_ = std::move(authenticator); }
  void set_observer(RequestObserver observer) { observer_ = std::move(observer); }
  // Made before a request is dispatched and kept until it has been observed: state that the
  // request's code shares on its thread (the configuration it read). It must not throw.
  void set_request_scope(std::function<std::shared_ptr<void>()> make) {
    request_scope_ = std::move(make);
  }
  // Called after authentication and parameter parsing, right before the route's handler, with
  // the route's pattern (the event engine's "pre" events). It must not throw.
  void set_before_handler(std::function<void(const RequestContext&, const std::string&)> hook) {
    before_handler_ = std::move(hook);
  }
  // Called on authenticated routes after parameter parsing, before the handler: may refuse the
  // request by throwing api::ApiError (a user naming someone else).
  void set_guard(std::function<void(RequestContext&)> guard) { guard_ = std::move(guard); }
  // Behind a TLS-terminating proxy: header carries the client certificate (URL-encoded PEM),
  // believed only when trusted(remote address); from anyone else it is ignored.
  void set_certificate_header(std::string header, std::function<bool(const std::string&)> trusted) {
    certificate_header_ = std::move(header);
    trusted_proxy_ = std::move(trusted);
  }

  HttpResponse handle(const HttpRequest& request) const noexcept;
  // Every route as (method, pattern), in the order they were added.
  std::vector<std::pair<std::string, std::string>> routes() const {
    std::vector<std::pair<std::string, std::string>> all;
    for (const auto& r : routes_) all.emplace_back(r.method, r.pattern);
    return all;
  }

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    Access access;
  };
  HttpResponse dispatch(const HttpRequest& request, std::optional<RequestContext>& context) const;

  std::vector<Route> routes_;
  Authenticator authenticator_;
  RequestObserver observer_;
  std::function<std::shared_ptr<void>()> request_scope_;
  std::function<void(const RequestContext&, const std::string&)> before_handler_;
  std::function<void(RequestContext&)> guard_;
  std::string certificate_header_;  // lower case
  std::function<bool(const std::string&)> trusted_proxy_;
};

// Reads query string and body into one JSON object: application/json bodies must be objects;
// form bodies become string values. Throws ApiError for malformed or unsupported bodies.
boost::json::object parse_params(const HttpRequest& request, std::string_view query);

}  // namespace tessera::http
