// GET /audit/: searches the audit log with paging, in eduMFA's answer shape; and the observer
// that records every API request into it.
#pragma once

#include "server/api/access_control.hpp"
#include "server/audit/audit_log.hpp"
#include "server/http/router.hpp"

namespace tessera::api {

void add_audit_routes(http::Router& router, db::AuditRepository& repository, audit::AuditLog& log,
                      const AccessControl& access);

// The router observer that turns each answered request into an audit row.
http::RequestObserver audit_observer(audit::AuditLog& log);

}  // namespace tessera::api
