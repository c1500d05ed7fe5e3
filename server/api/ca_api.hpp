// /caconnector/ in eduMFA's shapes with certificate profiles, and what a CA publishes:
// GET /ca/<name>/cert (PEM) and GET /ca/<name>/crl (DER), without login, at stable URLs.
#pragma once

#include "db/certificate_profile_repository.hpp"
#include "server/api/access_control.hpp"
#include "server/ca/ca_connectors.hpp"
#include "server/http/router.hpp"

namespace tessera::api {

// Profiles: POST and DELETE /caconnector/<name>/profile/<profile>; listed as "templates".
void add_ca_routes(http::Router& router, ca::CaConnectors& connectors,
                   db::CertificateProfileRepository& profiles, const AccessControl& access);

}  // namespace tessera::api
