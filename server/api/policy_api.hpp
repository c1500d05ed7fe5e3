// /policy/: list, create or replace, delete policies (eduMFA's parameter names).
#pragma once

#include "db/policy_repository.hpp"
#include "server/api/access_control.hpp"
#include "server/http/router.hpp"

namespace tessera::api {

void add_policy_routes(http::Router& router, db::PolicyRepository& policies,
                       const AccessControl& access);

}  // namespace tessera::api
