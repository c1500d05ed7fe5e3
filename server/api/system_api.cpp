// /healthz answers 503 when the database does not respond, so a load balancer takes the node
// out; /metrics is unauthenticated text for Prometheus (bind it to a private network).
#include "server/api/system_api.hpp"

#include "server/api/envelope.hpp"

namespace tessera::api {

void add_system_routes(http::Router& router, db::Database& database, const Metrics& metrics) {
  router.add("GET", "/healthz", [&database](http::RequestContext&) {
    const bool database_ok = database.ping();
    boost::json::object value{{"status", database_ok ? "ok" : "degraded"},
                              {"database", database_ok ? "ok" : "unreachable"}};
    return json_result(value, {}, database_ok ? 200 : 503);
  });
  router.add("GET", "/metrics", [&metrics](http::RequestContext&) {
    http::HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics.render();
    return response;
  });
}

}  // namespace tessera::api
