// This node's name (the host name), as eduMFA names nodes in periodic tasks and client lists.
#pragma once

#include <unistd.h>

#include <string>

namespace tessera::util {

inline std::string node_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace tessera::util
