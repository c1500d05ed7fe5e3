// tessera-server admin add|passwd|email|list|delete: manages administrator accounts from a
// shell.
#pragma once

#include <string>

namespace tessera::app {

// action: add, passwd, email (value: the address, or empty to remove it), list or delete.
// Passwords are read from standard input (without echo on a terminal), never from the command
// line, where other users could see them.
int admin_command(const std::string& config_file, const std::string& action,
                  const std::string& username, const std::string& value = "");

}  // namespace tessera::app
