// The host side of tessera_host_api_v1: what each plugin's calls into the host reach.
#pragma once

#include <string>
#include <vector>

#include "db/plugin_store_repository.hpp"
#include "server/crypto/secret_box.hpp"
#include "server/plugins/plugin_isolation.hpp"
#include "tessera/abi/tessera_plugin_abi.h"

namespace tessera::radius {
class RadiusServers;
}

namespace tessera::plugins {

class PluginCalls;
class PluginBulkheads;

// Shared by all plugins. store and secrets may be null (e.g. for --list-plugins), in which
// case store calls answer TESSERA_ERR_UNAVAILABLE.
struct HostServices {
  db::PluginStoreRepository* store = nullptr;
  const crypto::SecretBox* secrets = nullptr;
  size_t max_http_response_bytes = 4 * 1024 * 1024;
  // Keys one plugin may keep in its store (plugins.store_max_keys).
  long long store_max_keys = 100000;
  // Loopback and link-local networks that plugins may reach anyway (plugins.http_allowed_networks).
  std::vector<std::string> http_allowed_networks;
  std::string http_proxy;  // plugins.http_proxy; empty: direct, never the environment's
  // Where plugin calls run, each with its deadline. Null: on the caller's thread, unbounded
  // (the command-line tools and unit tests).
  PluginCalls* calls = nullptr;
  // Each plugin's share of the calls, and its figures. Null: no limit (tools, unit tests).
  PluginBulkheads* bulkheads = nullptr;
  // The RADIUS servers admins defined, for radius_request. Null: the call answers UNAVAILABLE.
  radius::RadiusServers* radius_servers = nullptr;
  // Which plugins run in a child process; here none (the tools, unit tests): the server sets it.
  PluginIsolation isolation = PluginIsolation::none();
};

// One per loaded plugin: the host_context the plugin passes back on every call, so the host
// knows who is calling.
struct HostContext {
  std::string plugin_id;
  HostServices* services = nullptr;
};

const tessera_host_api_v1* host_api();

}  // namespace tessera::plugins
