// POST /auth: logs an admin (or, with a realm, a user) in and returns a JWT, in eduMFA's shape.
#pragma once

#include "server/api/access_control.hpp"
#include "server/api/second_factor_login.hpp"
#include "server/auth/auth_service.hpp"
#include "server/ca/certificate_login.hpp"
#include "server/http/router.hpp"

namespace tessera::api {

// certificates: when set, a TLS client certificate without a username logs its token's owner in.
// second_factor: when set, the webui policy login_mode applies (without: passwords only).
// POST /auth/logout ends the caller's session; DELETE /auth/sessions (admins) ends a user's.
void add_auth_routes(http::Router& router, auth::AuthService& auth, const AccessControl& access,
                     ca::CertificateLogin* certificates = nullptr,
                     const SecondFactorLogin* second_factor = nullptr);

}  // namespace tessera::api
