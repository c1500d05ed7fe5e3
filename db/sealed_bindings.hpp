// Where each sealed value lives, as the associated data of its AES-GCM seal: a ciphertext
// copied to another place does not open there. One list, so that key rotation finds them all.
#pragma once

#include <string>

namespace tessera::db::binding {

inline std::string server_secret(const std::string& name) {
  return "server_secret:" + name;
}

inline std::string plugin_value(const std::string& plugin_id, const std::string& object,
                                const std::string& key) {
  return plugin_id + '\0' + object + '\0' + key;
}

inline std::string resolver_bind_password(const std::string& resolver) {
  return "resolver:" + resolver + ":bind_password";
}

inline std::string token_secret(const std::string& serial) {
  return "token:" + serial + ":secret";
}

inline std::string radius_secret(const std::string& name) {
  return "radius_server:" + name + ":secret";
}

inline std::string component_config(const std::string& kind, const std::string& name) {
  return "component_config:" + kind + ":" + name;
}

}  // namespace tessera::db::binding
