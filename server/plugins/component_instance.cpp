// Calls across the ABI: strings out as views, results back through a sink into our own memory.
#include "server/plugins/component_instance.hpp"

#include <cstddef>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "server/plugins/bounded_sink.hpp"

namespace tessera::plugins {
std::shared_ptr<ComponentInstance> ComponentInstance::create(std::shared_ptr<LoadedPlugin> plugin,
                                                             const tessera_component_v1& component,
                                                             const std::string& name,
                                                             const boost::json::object& config) {
  const auto config_text = boost::json::serialize(config);
  BoundedSink error(64 * 1024);
  void* instance = nullptr;
  auto status =
      component.vtable->create(plugin->state(), {name.data(), name.size()},
                               {config_text.data(), config_text.size()}, &instance, error.get());
  if (status != TESSERA_OK || !instance)
    throw PluginCallError(status == TESSERA_OK ? TESSERA_ERR_INTERNAL : status,
                          "cannot create " + std::string(component.type_id) + " instance '" + name +
                              "': " + error.text());
  return std::shared_ptr<ComponentInstance>(
      new ComponentInstance(std::move(plugin), component, name, instance));
}

ComponentInstance::~ComponentInstance() {
  component_.vtable->destroy(instance_);
}

boost::json::object ComponentInstance::call(int operation,
                                            const boost::json::object& request) const {
  const auto* vtable = component_.vtable;
  // Operations 4 and 5 came with ABI 1.2: an older plugin's table ends before them.
  const auto has = [&](size_t offset) {
    return vtable->struct_size >= offset + sizeof(tessera_operation_fn);
  };
  tessera_operation_fn fn =
      operation == 1   ? vtable->operation_1
      : operation == 2 ? vtable->operation_2
      : operation == 3 ? vtable->operation_3
      : operation == 4 && has(offsetof(tessera_component_vtable_v1, operation_4))
          ? vtable->operation_4
      : operation == 5 && has(offsetof(tessera_component_vtable_v1, operation_5))
          ? vtable->operation_5
          : nullptr;
  if (!fn)
    throw PluginCallError(
        TESSERA_ERR_INVALID_ARGUMENT,
        std::string(component_.type_id) + " has no operation " + std::to_string(operation));
  const auto request_text = boost::json::serialize(request);
  BoundedSink result;
  auto status = fn(instance_, {request_text.data(), request_text.size()}, result.get());
  if (result.overflowed())
    throw PluginCallError(TESSERA_ERR_INTERNAL,
                          std::string(component_.type_id) + " wrote more than the host accepts");
  if (status != TESSERA_OK) throw PluginCallError(status, result.text());
  boost::system::error_code ec;
  auto value = boost::json::parse(result.text(), ec);
  if (ec || !value.is_object())
    throw PluginCallError(TESSERA_ERR_INTERNAL, std::string(component_.type_id) +
                                                    " returned a result that is not a JSON object");
  return std::move(value.as_object());
}

}  // namespace tessera::plugins
