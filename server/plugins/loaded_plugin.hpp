// A plugin library that passed the loader's checks and its init. Component instances hold a
// shared_ptr to it, so the library stays loaded while any object made by its code lives.
#pragma once

#define BOOST_DLL_USE_STD_FS
#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "server/plugins/host_services.hpp"
#include "server/plugins/plugin_process.hpp"
#include "tessera/abi/tessera_plugin_abi.h"

namespace tessera::plugins {

class LoadedPlugin {
 public:
  // file_descriptor: the open plugin file the library was loaded from (through
  // /proc/self/fd); kept open while the library is loaded, so that its /proc name stays unique
  // (glibc's dlopen treats a repeated name as the same library).
  LoadedPlugin(int file_descriptor, boost::dll::shared_library library,
               const tessera_plugin_v1& descriptor, std::filesystem::path file,
               HostServices& services, std::unique_ptr<PluginProcess> process = nullptr);
  // Calls the plugin's shutdown, then unloads the library.
  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  // Runs the plugin's init in the server; a plugin with a child process is started by the
  // registry instead (PluginRegistry::start_children). On failure returns false with the
  // plugin's message.
  bool init(std::string& error);

  const tessera_plugin_v1& descriptor() const { return descriptor_; }
  const std::filesystem::path& file() const { return file_; }
  const std::string& id() const { return host_context_->plugin_id; }
  void* state() const { return state_; }
  HostServices& services() const { return *host_context_->services; }
  // The child process the plugin runs in, or null when it runs in the server.
  PluginProcess* process() const { return process_.get(); }
  // plugins.isolation names it inline: its calls run on the caller's thread, without deadline.
  bool calls_inline() const { return calls_inline_; }

 private:
  struct FileDescriptor {
    int fd;
    ~FileDescriptor();
  } file_descriptor_;                   // closed after the library is unloaded
  boost::dll::shared_library library_;  // destroyed after everything below
  const tessera_plugin_v1& descriptor_;
  std::filesystem::path file_;
  std::unique_ptr<HostContext> host_context_;
  std::unique_ptr<PluginProcess> process_;
  bool calls_inline_ = false;
  void* state_ = nullptr;
  bool initialized_ = false;
};

}  // namespace tessera::plugins
