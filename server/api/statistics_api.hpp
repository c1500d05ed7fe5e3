// GET /statistics/: what the admins' dashboard shows, counted over the whole cluster's rows.
#pragma once

#include "db/statistics_repository.hpp"
#include "server/api/access_control.hpp"
#include "server/audit/audit_log.hpp"
#include "server/http/router.hpp"

namespace tessera::api {

void add_statistics_routes(http::Router& router, db::StatisticsRepository& statistics,
                           audit::AuditLog& audit_log, const AccessControl& access);
// eduMFA's /monitoring/ (keys checks_accepted and checks_rejected, per minute) and
// /stats/current/users_with_token.
void add_monitoring_routes(http::Router& router, db::StatisticsRepository& statistics,
                           audit::AuditLog& audit_log, const AccessControl& access);

}  // namespace tessera::api
