// /resolver/, /realm/, /defaultrealm and /user/ in eduMFA's shapes.
#pragma once

#include "db/identity_repository.hpp"
#include "server/api/access_control.hpp"
#include "server/http/router.hpp"
#include "server/identity/user_directory.hpp"

namespace tessera::api {

void add_resolver_routes(http::Router& router, db::IdentityRepository& identities,
                         identity::UserDirectory& directory, const AccessControl& access);
void add_realm_routes(http::Router& router, db::IdentityRepository& identities,
                      const AccessControl& access);
void add_user_routes(http::Router& router, db::IdentityRepository& identities,
                     identity::UserDirectory& directory, const AccessControl& access);

}  // namespace tessera::api
