// eduMFA's /radiusserver/: the RADIUS servers that radius tokens forward their checks to, and
// /system/names/radius (radius_server_api.cpp).
#pragma once

#include "server/api/access_control.hpp"
#include "server/http/router.hpp"
#include "server/radius/radius_servers.hpp"

namespace tessera::api {

void add_radius_server_routes(http::Router& router, radius::RadiusServers& servers,
                              const AccessControl& access);

}  // namespace tessera::api
