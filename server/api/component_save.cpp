#include "server/api/component_save.hpp"

#include <limits>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/plugins/component_instance.hpp"
#include "server/plugins/configured_components.hpp"

namespace tessera::api {

http::HttpResponse save_component(http::RequestContext& c, const std::string& name,
                                  const std::string& noun, const SaveComponent& save) {
  auto params = c.params;
  params.erase("type");
  // The version read with the configuration (0: only if none exists yet), so that a save from
  // a stale form is refused instead of overwriting someone's change.
  const auto version = long_param(c, "version", 0, std::numeric_limits<long long>::max());
  params.erase("version");
  bool created = false;
  try {
    created = save(string_param(c, "type", 64), params, version);
  } catch (const plugins::ConfiguredComponentConflict& e) {
    throw ApiError(409, error_code::parameter, e.what());
  } catch (const plugins::ConfiguredComponentError& e) {
    throw ApiError::bad_parameter(e.what());
  } catch (const plugins::PluginCallError& e) {
    throw ApiError::bad_parameter("the " + noun + " refused: " + e.what());
  }
  c.audit.info = (created ? "created " : "updated ") + noun + " " + name;
  return json_result(true);
}

}  // namespace tessera::api
