// Operational endpoints: GET /healthz (liveness and database reachability), GET /metrics, and
// GET /system/plugins (what this node loaded, for admins).
#pragma once

#include "db/database.hpp"
#include "server/api/access_control.hpp"
#include "server/api/metrics.hpp"
#include "server/http/router.hpp"
#include "server/plugins/plugin_registry.hpp"
#include "server/tokens/token_types.hpp"

namespace tessera::api {

void add_system_routes(http::Router& router, db::Database& database, const Metrics& metrics,
                       const plugins::PluginRegistry& registry, const tokens::TokenTypes& types,
                       const AccessControl& access);

}  // namespace tessera::api
