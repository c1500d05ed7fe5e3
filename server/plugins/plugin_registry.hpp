// Loads every plugin from the configured folders, refusing (with a reason naming the file) any
// that is not a valid Tessera plugin, and finds components by kind and type id.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "server/plugins/component_instance.hpp"
#include "server/plugins/host_services.hpp"
#include "server/plugins/loaded_plugin.hpp"

namespace tessera::plugins {

struct PluginRefusal {
  std::filesystem::path file;
  std::string reason;
};

struct ComponentRef {
  std::shared_ptr<LoadedPlugin> plugin;
  const tessera_component_v1* component = nullptr;
};

class PluginRegistry {
 public:
  // Scans each folder (not recursively, in name order) for *.so files. services must outlive
  // every plugin and instance.
  static PluginRegistry load(const std::vector<std::filesystem::path>& directories,
                             HostServices& services);

  const std::vector<std::shared_ptr<LoadedPlugin>>& plugins() const { return plugins_; }
  const std::vector<PluginRefusal>& refusals() const { return refusals_; }

  std::optional<ComponentRef> find(tessera_component_kind kind, std::string_view type_id) const;

  // Validates config against the component's parameters and creates the instance. Throws
  // ComponentConfigError (bad config), std::out_of_range (no such type) or PluginCallError.
  std::shared_ptr<ComponentInstance> create_instance(tessera_component_kind kind,
                                                     std::string_view type_id,
                                                     const std::string& name,
                                                     const boost::json::object& config) const;

 private:
  // Returns why the file is refused, or an empty string once it is accepted and initialised.
  std::string try_load(const std::filesystem::path& file, HostServices& services);
  // Starts the child processes of the plugins that run in one, together; refuses those whose
  // child does not start.
  void start_children();

  std::vector<std::shared_ptr<LoadedPlugin>> plugins_;
  std::vector<PluginRefusal> refusals_;
};

// Checks a descriptor before any of the plugin's functions is called; returns the reason for
// refusing it, or an empty string.
std::string check_descriptor(const tessera_plugin_v1* descriptor);

}  // namespace tessera::plugins
