// POST /<kind>/<name> for configured plugin components (CA connectors, notifiers): creates or
// updates one from the request's type, version and the plugin's parameters, and audits which.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "server/http/router.hpp"

namespace tessera::api {

// Creates or updates (true: created); throws ConfiguredComponentConflict for a stale version,
// ConfiguredComponentError for bad input, PluginCallError when the plugin refuses.
using SaveComponent = std::function<bool(const std::string& type, const boost::json::object& params,
                                         std::optional<long long> version)>;

// noun: "CA connector". Answers 409 for a stale version, 400 for bad input or a refusal.
http::HttpResponse save_component(http::RequestContext& c, const std::string& name,
                                  const std::string& noun, const SaveComponent& save);

}  // namespace tessera::api
