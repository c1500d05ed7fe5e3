// Init and shutdown of one plugin.
#include "server/plugins/loaded_plugin.hpp"

#include <unistd.h>

#include "server/plugins/bounded_sink.hpp"

namespace tessera::plugins {

LoadedPlugin::FileDescriptor::~FileDescriptor() {
  if (fd >= 0) ::close(fd);
}

LoadedPlugin::LoadedPlugin(int file_descriptor, boost::dll::shared_library library,
                           const tessera_plugin_v1& descriptor, std::filesystem::path file,
                           HostServices& services, std::unique_ptr<PluginProcess> process)
    : file_descriptor_{file_descriptor},
      library_(std::move(library)),
      descriptor_(descriptor),
      file_(std::move(file)),
      host_context_(std::make_unique<HostContext>(HostContext{descriptor.plugin_id, &services})),
      process_(std::move(process)),
      calls_inline_(!process_ && services.isolation.inline_ids.count(descriptor.plugin_id) > 0) {}

LoadedPlugin::~LoadedPlugin() {
  if (process_) return;  // its destructor shuts the plugin down in the child
  if (initialized_ && descriptor_.shutdown) descriptor_.shutdown(state_);
}

bool LoadedPlugin::init(std::string& error) {
  BoundedSink message(64 * 1024);
  auto status = descriptor_.init(host_api(), host_context_.get(), &state_, message.get());
  initialized_ = status == TESSERA_OK;
  error = message.text();
  if (!initialized_ && error.empty()) error = "init failed with status " + std::to_string(status);
  return initialized_;
}

}  // namespace tessera::plugins
