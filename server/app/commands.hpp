// The server's commands; each returns the process exit code.
#pragma once

#include <string>

namespace tessera::app {

int serve_command(const std::string& config_file);
int check_config_command(const std::string& config_file);
int list_plugins_command(const std::string& config_file);
// Checks the audit log's hash chain; exit 1 names the first row changed or removed.
int audit_verify_command(const std::string& config_file);
// Re-seals every stored secret under a new key file created at new_key_file.
int key_rotate_command(const std::string& config_file, const std::string& new_key_file);

}  // namespace tessera::app
