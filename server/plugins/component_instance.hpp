// A configured instance of a plugin component (a token type, a CA connector such as
// "corp-ca", a notification action), called through the C ABI with JSON in and out.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include <boost/json/object.hpp>

#include "server/plugins/loaded_plugin.hpp"
#include "tessera/abi/tessera_plugin_abi.h"

namespace tessera::plugins {

// A component answered with a failure status; the message is the plugin's.
class PluginCallError : public std::runtime_error {
 public:
  PluginCallError(tessera_status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  tessera_status status() const { return status_; }

 private:
  tessera_status status_;
};

class ComponentInstance {
 public:
  // config must already be checked against the component's parameters.
  static std::shared_ptr<ComponentInstance> create(std::shared_ptr<LoadedPlugin> plugin,
                                                   const tessera_component_v1& component,
                                                   const std::string& name,
                                                   const boost::json::object& config);
  ~ComponentInstance();
  ComponentInstance(const ComponentInstance&) = delete;
  ComponentInstance& operator=(const ComponentInstance&) = delete;

  // operation: 1..3, as tessera_component_vtable_v1 numbers them for the component's kind.
  boost::json::object call(int operation, const boost::json::object& request) const;

  const std::string& name() const { return name_; }
  const tessera_component_v1& component() const { return component_; }
  const LoadedPlugin& plugin() const { return *plugin_; }

 private:
  ComponentInstance(std::shared_ptr<LoadedPlugin> plugin, const tessera_component_v1& component,
                    std::string name, void* instance)
      : plugin_(std::move(plugin)),
        component_(component),
        name_(std::move(name)),
        instance_(instance) {}
  std::shared_ptr<LoadedPlugin> plugin_;  // keeps the library loaded
  const tessera_component_v1& component_;
  std::string name_;
  void* instance_;
};

}  // namespace tessera::plugins
