// Serves the WebUI (a single-page application built from webui/ by the build) at "/", from
// the same origin as the API: index.html and its hashed assets, read once at start.
#pragma once

#include <filesystem>

#include "server/http/router.hpp"

namespace tessera::api {

// folder: the built WebUI (index.html, assets/). Missing: "/" says how to build it.
void add_webui_routes(http::Router& router, const std::filesystem::path& folder);

}  // namespace tessera::api
