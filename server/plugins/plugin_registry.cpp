// The loader: every check runs before the plugin's init, and a refusal never stops the others.
#include "server/plugins/plugin_registry.hpp"

#include <algorithm>
#include <cstddef>
#include <future>

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>
#include <boost/json/parse.hpp>

#include <cerrno>
#include <cstring>

#include "server/plugins/abi_access.hpp"
#include "server/plugins/component_config.hpp"

namespace tessera::plugins {
namespace {

template <class T>
bool covers(const T* s, size_t end_of_last_field) {
  return s->struct_size >= end_of_last_field;
}

// A default must be JSON of the parameter's type, so that a component only ever sees valid
// configuration, defaults included.
std::string check_default(const tessera_param_v1& p) {
  if (!p.default_value) return {};
  boost::system::error_code ec;
  auto value = boost::json::parse(p.default_value, ec);
  if (ec) return "the default is not valid JSON";
  if (!param_has_type(value, p.type)) return "the default has the wrong type";
  return {};
}

std::string check_component(const tessera_component_v1& c, size_t index) {
  const std::string which = "component " + std::to_string(index);
  if (!covers(&c, offsetof(tessera_component_v1, vtable) + sizeof(void*)))
    return which + ": struct_size " + std::to_string(c.struct_size) + " is too small";
  if (c.kind < TESSERA_COMPONENT_TOKEN_TYPE || c.kind > TESSERA_COMPONENT_NOTIFICATION_ACTION)
    return which + ": unknown kind " + std::to_string(c.kind);
  if (!c.type_id || !*c.type_id) return which + ": empty type id";
  const auto* v = c.vtable;
  if (!v || !covers(v, offsetof(tessera_component_vtable_v1, operation_3) + sizeof(void*)))
    return which + " (" + c.type_id + "): missing or truncated function table";
  const bool needs_two = c.kind != TESSERA_COMPONENT_NOTIFICATION_ACTION;
  const bool needs_three = c.kind == TESSERA_COMPONENT_CA_CONNECTOR;
  if (!v->create || !v->destroy || !v->operation_1 || (needs_two && !v->operation_2) ||
      (needs_three && !v->operation_3))
    return which + " (" + c.type_id + "): a required function of a " + kind_name(c.kind) +
           " is missing";
  if (c.param_count && !c.params) return which + " (" + c.type_id + "): parameters missing";
  for (size_t i = 0; i < c.param_count; ++i) {
    const auto& p = param_at(c, i);
    if (p.struct_size != c.params[0].struct_size ||
        !covers(&p, offsetof(tessera_param_v1, description) + sizeof(void*)) || !p.key || !*p.key ||
        p.type < TESSERA_PARAM_STRING || p.type > TESSERA_PARAM_STRING_LIST)
      return which + " (" + c.type_id + "): parameter " + std::to_string(i) + " is malformed";
    if (auto reason = check_default(p); !reason.empty())
      return which + " (" + c.type_id + "): parameter '" + p.key + "': " + reason;
  }
  return {};
}

// Code that anyone but the server's own user (or root) can change must not run in the server.
std::string check_ownership(const struct stat& st, const char* what) {
  if (st.st_uid != 0 && st.st_uid != ::geteuid())
    return std::string("the ") + what + " belongs to another user (uid " +
           std::to_string(st.st_uid) + "), who could replace its code";
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return std::string("the ") + what +
           " is writable by group or others, so anyone could replace its code";
  return {};
}

// Owns a plugin file's descriptor until a LoadedPlugin takes it over.
struct FileDescriptor {
  int fd;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
  int release() { return std::exchange(fd, -1); }
};

}  // namespace

std::string check_descriptor(const tessera_plugin_v1* d) {
  if (!d) return "the entry function returned no descriptor";
  if (d->struct_size < offsetof(tessera_plugin_v1, shutdown) + sizeof(void*))
    return "descriptor struct_size " + std::to_string(d->struct_size) + " is too small";
  if (d->abi_major != TESSERA_ABI_VERSION_MAJOR)
    return "built for plugin ABI " + std::to_string(d->abi_major) + "." +
           std::to_string(d->abi_minor) + ", but this server speaks ABI " +
           std::to_string(TESSERA_ABI_VERSION_MAJOR) + "." +
           std::to_string(TESSERA_ABI_VERSION_MINOR) + ": rebuild the plugin against Tessera SDK " +
           std::to_string(TESSERA_ABI_VERSION_MAJOR) + ".x";
  if (d->abi_minor > TESSERA_ABI_VERSION_MINOR)
    return "needs plugin ABI " + std::to_string(d->abi_major) + "." + std::to_string(d->abi_minor) +
           ", newer than this server's " + std::to_string(TESSERA_ABI_VERSION_MAJOR) + "." +
           std::to_string(TESSERA_ABI_VERSION_MINOR) + ": upgrade the server";
  if (!d->plugin_id || !*d->plugin_id) return "the descriptor has no plugin id";
  if (!d->plugin_version || !*d->plugin_version) return "the descriptor has no plugin version";
  if (!d->init || !d->shutdown) return "the descriptor lacks init or shutdown";
  if (d->component_count == 0 || !d->components) return "the plugin declares no components";
  for (size_t i = 0; i < d->component_count; ++i) {
    const auto& c = component_at(*d, i);
    if (c.struct_size != d->components[0].struct_size)
      return "component " + std::to_string(i) + ": struct_size differs from the first component's";
    auto reason = check_component(c, i);
    if (!reason.empty()) return reason;
    for (size_t j = 0; j < i; ++j)
      if (component_at(*d, j).kind == c.kind &&
          std::string_view(component_at(*d, j).type_id) == c.type_id)
        return std::string("declares ") + kind_name(c.kind) + " '" + c.type_id + "' twice";
  }
  return {};
}

PluginRegistry PluginRegistry::load(const std::vector<std::filesystem::path>& directories,
                                    HostServices& services) {
  PluginRegistry registry;
  for (const auto& dir : directories) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0)
      if (auto reason = check_ownership(st, "plugin folder"); !reason.empty()) {
        registry.refusals_.push_back({dir, reason});
        continue;
      }
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
      if (entry.path().extension() == ".so") files.push_back(entry.path());
    if (ec) {
      registry.refusals_.push_back({dir, "cannot read plugin folder: " + ec.message()});
      continue;
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      auto reason = registry.try_load(file, services);
      if (!reason.empty()) {
        spdlog::warn("refused plugin {}: {}", file.string(), reason);
        registry.refusals_.push_back({file, reason});
      }
    }
  }
  registry.start_children();
  for (const auto& plugin : registry.plugins_) {
    const auto& d = plugin->descriptor();
    spdlog::info("loaded plugin {} {} (ABI {}.{}, {}) from {}", d.plugin_id, d.plugin_version,
                 d.abi_major, d.abi_minor, d.build_info ? d.build_info : "",
                 plugin->file().string());
  }
  return registry;
}

void PluginRegistry::start_children() {
  // Each child is a process start and a handshake (about 30 ms); one after another they were
  // a third of the server's start-up, so they start together. They are spawned from this
  // thread, which lives as long as the server (a child dies with the thread that spawned it).
  std::vector<std::pair<std::shared_ptr<LoadedPlugin>, std::future<std::string>>> starts;
  for (const auto& plugin : plugins_) {
    auto* process = plugin->process();
    if (!process) continue;
    std::string error;
    auto child = process->launch_first(error);
    // The reason says itself what failed: the start of the process or the plugin's init.
    starts.emplace_back(plugin, std::async(std::launch::async, [process, child, error]() mutable {
                          return process->finish_first(child, error) ? std::string() : error;
                        }));
  }
  for (auto& [plugin, start] : starts) {
    const auto reason = start.get();
    if (reason.empty()) continue;
    spdlog::warn("refused plugin {}: {}", plugin->file().string(), reason);
    refusals_.push_back({plugin->file(), reason});
    std::erase(plugins_, plugin);
  }
}

std::string PluginRegistry::try_load(const std::filesystem::path& file, HostServices& services) {
  // Open once without following links, check what was opened, and load exactly that file
  // through /proc/self/fd: nobody can swap the file between the check and the load.
  FileDescriptor file_fd{::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
  if (file_fd.fd < 0)
    return errno == ELOOP ? "a symbolic link: put the plugin file itself in the folder"
                          : std::string("cannot open: ") + std::strerror(errno);
  struct stat st {};
  if (::fstat(file_fd.fd, &st) != 0 || !S_ISREG(st.st_mode)) return "not a regular file";
  if (auto reason = check_ownership(st, "file"); !reason.empty()) return reason;
  boost::dll::shared_library library;
  try {
    library.load("/proc/self/fd/" + std::to_string(file_fd.fd),
                 boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    return std::string("cannot load the library: ") + e.what();
  }
  if (!library.has(TESSERA_PLUGIN_ENTRY_SYMBOL))
    return std::string("no entry symbol '") + TESSERA_PLUGIN_ENTRY_SYMBOL +
           "': not a Tessera plugin (declare one with TESSERA_PLUGIN from the SDK)";
  auto entry = library.get<const tessera_plugin_v1*()>(TESSERA_PLUGIN_ENTRY_SYMBOL);
  const tessera_plugin_v1* descriptor = nullptr;
  try {  // the entry function is C, but a C++ plugin without the SDK could still throw
    descriptor = entry();
  } catch (...) {
    return "the entry function threw an exception";
  }
  if (auto reason = check_descriptor(descriptor); !reason.empty()) return reason;

  for (const auto& other : plugins_) {
    const auto& od = other->descriptor();
    if (std::string_view(od.plugin_id) == descriptor->plugin_id)
      return std::string("plugin id '") + descriptor->plugin_id + "' is already provided by " +
             other->file().string();
    for (size_t i = 0; i < descriptor->component_count; ++i) {
      const auto& mine = component_at(*descriptor, i);
      for (size_t j = 0; j < od.component_count; ++j)
        if (component_at(od, j).kind == mine.kind &&
            std::string_view(component_at(od, j).type_id) == mine.type_id)
          return std::string("duplicate ") + kind_name(mine.kind) + " id '" + mine.type_id +
                 "': already provided by " + other->file().string();
    }
  }

  // plugins.isolation: the plugin runs in a child process; here only its descriptor is read.
  std::unique_ptr<PluginProcess> process;
  bool has_token_type = false;
  for (size_t i = 0; i < descriptor->component_count; ++i)
    has_token_type |= component_at(*descriptor, i).kind == TESSERA_COMPONENT_TOKEN_TYPE;
  if (services.isolation.in_child(descriptor->plugin_id, has_token_type)) {
    const int copy = ::fcntl(file_fd.fd, F_DUPFD_CLOEXEC, 10);
    if (copy < 0) return std::string("cannot keep the file open: ") + std::strerror(errno);
    process = std::make_unique<PluginProcess>(HostContext{descriptor->plugin_id, &services}, copy,
                                              services.isolation);
  }
  auto plugin = std::make_shared<LoadedPlugin>(file_fd.release(), std::move(library), *descriptor,
                                               file, services, std::move(process));
  // A plugin in a child is started with the others' children (start_children).
  std::string error;
  if (!plugin->process() && !plugin->init(error)) return "init failed: " + error;
  plugins_.push_back(std::move(plugin));
  return {};
}

std::optional<ComponentRef> PluginRegistry::find(tessera_component_kind kind,
                                                 std::string_view type_id) const {
  for (const auto& plugin : plugins_) {
    const auto& d = plugin->descriptor();
    for (size_t i = 0; i < d.component_count; ++i)
      if (component_at(d, i).kind == static_cast<uint32_t>(kind) &&
          type_id == component_at(d, i).type_id)
        return ComponentRef{plugin, &component_at(d, i)};
  }
  return std::nullopt;
}

std::shared_ptr<ComponentInstance> PluginRegistry::create_instance(
    tessera_component_kind kind, std::string_view type_id, const std::string& name,
    const boost::json::object& config) const {
  auto ref = find(kind, type_id);
  if (!ref)
    throw std::out_of_range(std::string("no ") + kind_name(kind) + " '" + std::string(type_id) +
                            "' is loaded");
  auto valid = validate_component_config(*ref->component, config);
  return ComponentInstance::create(ref->plugin, *ref->component, name, valid);
}

}  // namespace tessera::plugins
