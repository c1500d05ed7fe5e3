// systemctl reload (SIGHUP): the configuration file is read again; what can change while the
// server runs does (the log level, the TLS certificate and key of new connections), and what
// needs a restart is named in the log. A file that does not load changes nothing.
#pragma once

#include <string>

#include "server/config/server_config.hpp"
#include "server/http/http_server.hpp"

namespace tessera::app {

// log.level by name: debug, info, warning, error.
void set_log_level(const std::string& level);

// running: the configuration the server started with (it is compared, never changed).
void reload_configuration(const std::string& config_file, const ServerConfig& running,
                          http::HttpServer& server);

}  // namespace tessera::app
