// Init and shutdown of one plugin.
#include "server/plugins/loaded_plugin.hpp"

namespace tessera::plugins {

LoadedPlugin::LoadedPlugin(boost::dll::shared_library library, const tessera_plugin_v1& descriptor,
                           std::filesystem::path file, HostServices& services)
    : library_(std::move(library)),
      descriptor_(descriptor),
      file_(std::move(file)),
      host_context_(std::make_unique<HostContext>(HostContext{descriptor.plugin_id, &services})) {}

LoadedPlugin::~LoadedPlugin() {
  if (initialized_ && descriptor_.shutdown) descriptor_.shutdown(state_);
}

bool LoadedPlugin::init(std::string& error) {
  tessera_sink sink{&error, [](void* context, const char* data, size_t size) {
                      static_cast<std::string*>(context)->append(data, size);
                    }};
  auto status = descriptor_.init(host_api(), host_context_.get(), &state_, &sink);
  initialized_ = status == TESSERA_OK;
  if (!initialized_ && error.empty()) error = "init failed with status " + std::to_string(status);
  return initialized_;
}

}  // namespace tessera::plugins
