// plugins.isolation: which plugins run in a child process of their own (or on the caller's
// thread), and its limits.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace tessera::plugins {

// Which plugins run in a child process of their own (plugins.isolation), and its limits.
struct PluginIsolation {
  std::map<std::string, bool> process_by_id;  // true: process, false: in_process or inline
  // inline: in the server, each call on the request's own thread without a deadline (one
  // thread hand-off less per call; for plugins that only compute, such as the OATH types).
  std::set<std::string> inline_ids;
  // plugins.isolation.default; unset: a plugin with a token type runs in the server (a check
  // is on every login's path, and a child costs it a round trip), any other (CA connectors and
  // notification actions: slow calls to peers whose answers they parse) in a child process.
  std::optional<bool> process_by_default;
  unsigned memory_mb = 1024;  // the child's address space (plugins.process_memory_mb)
  // tessera-plugin-host; empty: beside the server's binary, else <prefix>/lib/tessera.
  std::filesystem::path host_binary;

  // Every plugin in the server.
  static PluginIsolation none() {
    PluginIsolation isolation;
    isolation.process_by_default = false;
    return isolation;
  }

  bool in_child(const std::string& plugin_id, bool has_token_type) const {
    if (auto it = process_by_id.find(plugin_id); it != process_by_id.end()) return it->second;
    return process_by_default.value_or(!has_token_type);
  }
};

}  // namespace tessera::plugins
