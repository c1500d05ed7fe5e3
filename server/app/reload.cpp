#include "server/app/reload.hpp"

#include <spdlog/spdlog.h>

#include <vector>

#include "server/app/first_start.hpp"

namespace tessera::app {
namespace {

bool same_listeners(const std::vector<ListenConfig>& a, const std::vector<ListenConfig>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].address != b[i].address || a[i].port != b[i].port || a[i].tls != b[i].tls)
      return false;
  return true;
}

// The settings read only at start that differ in the new file.
std::string needing_restart(const ServerConfig& running, const ServerConfig& fresh) {
  std::vector<std::string> changed;
  if (!same_listeners(running.server.listen, fresh.server.listen))
    changed.push_back("server.listen");
  if (running.server.io_threads != fresh.server.io_threads) changed.push_back("server.io_threads");
  if (running.server.handlers_on_io_threads != fresh.server.handlers_on_io_threads)
    changed.push_back("server.handlers_on_io_threads");
  if (running.server.worker_threads != fresh.server.worker_threads)
    changed.push_back("server.worker_threads");
  if (running.data_dir != fresh.data_dir) changed.push_back("data_dir");
  if (running.database_url != fresh.database_url) changed.push_back("database.url");
  if (running.plugin_directories != fresh.plugin_directories)
    changed.push_back("plugins.directories");
  std::string names;
  for (const auto& name : changed) names += (names.empty() ? "" : ", ") + name;
  return names;
}

}  // namespace

void set_log_level(const std::string& level) {
  spdlog::set_level(level == "debug"     ? spdlog::level::debug
                    : level == "warning" ? spdlog::level::warn
                    : level == "error"   ? spdlog::level::err
                                         : spdlog::level::info);
}

void reload_configuration(const std::string& config_file, const ServerConfig& running,
                          http::HttpServer& server) {
  try {
    auto fresh = load_config(config_file);
    ensure_tls_certificate(fresh);  // the same default paths as at start
    if (fresh.server.any_tls_listener()) server.reload_tls(fresh.server.tls);
    set_log_level(fresh.log_level);
    spdlog::warn(
        "reloaded {}: log level {}{}", config_file, fresh.log_level,
        fresh.server.any_tls_listener()
            ? ", TLS certificate " + fresh.server.tls.certificate.string() + " for new connections"
            : std::string());
    if (const auto names = needing_restart(running, fresh); !names.empty())
      spdlog::warn("changed, but read only at start (restart to apply): {}", names);
  } catch (const std::exception& e) {
    spdlog::error("reload refused, the running configuration stays: {}", e.what());
  }
}

}  // namespace tessera::app
