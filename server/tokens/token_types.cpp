#include "server/tokens/token_types.hpp"

#include <spdlog/spdlog.h>

#include "server/plugins/abi_access.hpp"

namespace tessera::tokens {

TokenTypes::TokenTypes(const plugins::PluginRegistry& registry) {
  for (const auto& plugin : registry.plugins()) {
    const auto& descriptor = plugin->descriptor();
    for (size_t i = 0; i < descriptor.component_count; ++i) {
      const auto& component = plugins::component_at(descriptor, i);
      if (component.kind != TESSERA_COMPONENT_TOKEN_TYPE) continue;
      const std::string type = component.type_id;
      try {
        types_[type] = registry.create_instance(TESSERA_COMPONENT_TOKEN_TYPE, type, type, {});
      } catch (const std::exception& e) {
        spdlog::error("token type {} of {} is not available: {}", type, plugin->file().string(),
                      e.what());
        unusable_[type] = e.what();
      }
    }
  }
}

const plugins::ComponentInstance* TokenTypes::find(const std::string& type) const {
  auto it = types_.find(type);
  return it == types_.end() ? nullptr : it->second.get();
}

std::vector<std::string> TokenTypes::names() const {
  std::vector<std::string> names;
  for (const auto& [name, instance] : types_) names.push_back(name);
  return names;
}

}  // namespace tessera::tokens
