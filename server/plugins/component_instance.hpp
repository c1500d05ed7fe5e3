// A configured instance of a plugin component (a token type, a CA connector such as
// "corp-ca", a notification action), called through the C ABI with JSON in and out, by
// operation name, within the deadline of its kind.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include <boost/json/object.hpp>

#include "server/plugins/loaded_plugin.hpp"
#include "server/plugins/operation.hpp"
#include "tessera/abi/tessera_plugin_abi.h"

namespace tessera::plugins {

// A component failed: it answered with a failure status (the message is the plugin's), gave an
// answer the host cannot use, or passed its deadline (TESSERA_ERR_UNAVAILABLE).
class PluginCallError : public std::runtime_error {
 public:
  PluginCallError(tessera_status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  tessera_status status() const { return status_; }

 private:
  tessera_status status_;
};

// Whether retrying cannot fix a failure: the plugin refused the input (INVALID_ARGUMENT) or the
// host found it unusable (std::invalid_argument). Anything else (an outage, a deadline) may pass.
inline bool retrying_cannot_fix(const std::exception& e) {
  if (const auto* call = dynamic_cast<const PluginCallError*>(&e))
    return call->status() == TESSERA_ERR_INVALID_ARGUMENT;
  return dynamic_cast<const std::invalid_argument*>(&e) != nullptr;
}

class ComponentInstance : public std::enable_shared_from_this<ComponentInstance> {
 public:
  // config must already be checked against the component's parameters.
  static std::shared_ptr<ComponentInstance> create(std::shared_ptr<LoadedPlugin> plugin,
                                                   const tessera_component_v1& component,
                                                   const std::string& name,
                                                   const boost::json::object& config);
  ~ComponentInstance();
  ComponentInstance(const ComponentInstance&) = delete;
  ComponentInstance& operator=(const ComponentInstance&) = delete;

  // Whether the component implements op (its kind has it, the plugin's ABI minor has it, and
  // the plugin filled the slot).
  bool has(Operation op) const;
  // Throws PluginCallError when the component does not have op, fails, passes its deadline or
  // answers with anything but one JSON object without duplicate keys.
  boost::json::object call(Operation op, const boost::json::object& request) const;

  const std::string& name() const { return name_; }
  const tessera_component_v1& component() const { return component_; }
  const LoadedPlugin& plugin() const { return *plugin_; }
  // "totp", or "ca_local 'corp-ca'" for a named instance: for messages.
  std::string label() const;

 private:
  ComponentInstance(std::shared_ptr<LoadedPlugin> plugin, const tessera_component_v1& component,
                    std::string name, void* instance)
      : plugin_(std::move(plugin)),
        component_(component),
        name_(std::move(name)),
        instance_(instance) {}
  tessera_operation_fn slot(Operation op) const;

  std::shared_ptr<LoadedPlugin> plugin_;  // keeps the library loaded
  const tessera_component_v1& component_;
  std::string name_;
  void* instance_;
  uint64_t remote_ = 0;  // the instance's name in the plugin's child process, if it has one
};

}  // namespace tessera::plugins
