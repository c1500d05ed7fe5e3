// /caconnector/ in eduMFA's shapes, and what a CA publishes: GET /ca/<name>/cert (PEM) and
// GET /ca/<name>/crl (DER), without login, at stable URLs for relying parties.
#pragma once

#include "server/api/access_control.hpp"
#include "server/ca/ca_connectors.hpp"
#include "server/http/router.hpp"

namespace tessera::api {

void add_ca_routes(http::Router& router, ca::CaConnectors& connectors, const AccessControl& access);

}  // namespace tessera::api
