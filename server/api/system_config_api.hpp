// eduMFA's /system/ settings, kept as Tessera policies (system_config_api.cpp).
#pragma once

#include "db/identity_repository.hpp"
#include "db/policy_repository.hpp"
#include "server/api/access_control.hpp"
#include "server/http/router.hpp"

namespace tessera::api {

// Also GET /system/documentation: realms, resolvers and policies as reStructuredText.
void add_system_config_routes(http::Router& router, db::PolicyRepository& policies,
                              db::IdentityRepository& identities, const AccessControl& access);

}  // namespace tessera::api
