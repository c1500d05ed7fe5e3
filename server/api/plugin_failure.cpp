#include "server/api/plugin_failure.hpp"

#include <spdlog/spdlog.h>

namespace tessera::api {

void throw_plugin_failure(const plugins::PluginCallError& e, const std::string& component) {
  switch (e.status()) {
    case TESSERA_ERR_INVALID_ARGUMENT:
      throw ApiError::bad_parameter(e.what());
    case TESSERA_ERR_NOT_FOUND:
      throw ApiError::not_found(e.what());
    case TESSERA_ERR_UNAVAILABLE:
      throw ApiError(503, error_code::internal, component + " is unavailable: " + e.what());
    default:
      spdlog::error("{} failed: {}", component, e.what());
      throw ApiError(500, error_code::internal,
                     component + " failed; the server log has the details");
  }
}

}  // namespace tessera::api
