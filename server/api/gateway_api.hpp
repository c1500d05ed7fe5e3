// eduMFA's /smtpserver/ and /smsgateway/ as Tessera notifiers, and /system/test/<tokentype>
// (gateway_api.cpp).
#pragma once

#include "server/api/access_control.hpp"
#include "server/http/router.hpp"
#include "server/plugins/configured_components.hpp"

namespace tessera::api {

void add_gateway_routes(http::Router& router, plugins::ConfiguredComponents& notifiers,
                        const AccessControl& access);

}  // namespace tessera::api
