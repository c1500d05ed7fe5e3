// Operational endpoints: GET /healthz (liveness and database reachability) and GET /metrics.
#pragma once

#include "db/database.hpp"
#include "server/api/metrics.hpp"
#include "server/http/router.hpp"

namespace tessera::api {

void add_system_routes(http::Router& router, db::Database& database, const Metrics& metrics);

}  // namespace tessera::api
