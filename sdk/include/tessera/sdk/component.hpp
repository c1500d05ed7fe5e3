// What every component (token type, CA connector, notification action) declares about itself
// and what it receives when the host creates a configured instance.
#pragma once

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "tessera/abi/tessera_plugin_abi.h"
#include "tessera/sdk/host.hpp"

namespace tessera::sdk {

// One configuration parameter; the host validates instance configuration against these.
struct Param {
  std::string key;
  tessera_param_type type = TESSERA_PARAM_STRING;
  uint32_t flags = 0;
  std::string default_json;  // empty: no default
  std::string description;

  static Param string(std::string key, std::string description) {
    return {std::move(key), TESSERA_PARAM_STRING, 0, {}, std::move(description)};
  }
  static Param integer(std::string key, std::string description) {
    return {std::move(key), TESSERA_PARAM_INT, 0, {}, std::move(description)};
  }
  static Param boolean(std::string key, std::string description) {
    return {std::move(key), TESSERA_PARAM_BOOL, 0, {}, std::move(description)};
  }
  static Param string_list(std::string key, std::string description) {
    return {std::move(key), TESSERA_PARAM_STRING_LIST, 0, {}, std::move(description)};
  }
  Param required() && {
    flags |= TESSERA_PARAM_REQUIRED;
    return std::move(*this);
  }
  Param secret() && {
    flags |= TESSERA_PARAM_SECRET;
    return std::move(*this);
  }
  // The default as JSON text, e.g. "30", "\"POST\"", "true".
  Param defaults_to(std::string json) && {
    default_json = std::move(json);
    return std::move(*this);
  }
};

struct ComponentInfo {
  std::string type_id;       // unique per kind, e.g. "totp" or "org.example.sms"
  std::string display_name;  // shown to admins
  std::vector<Param> params;
};

// Handed to a component's constructor. config has been checked against ComponentInfo::params,
// with defaults filled in.
struct ComponentContext {
  const Host& host;
  std::string instance_name;
  boost::json::object config;
};

// What the three component base classes share: access to the host.
class Component {
 public:
  explicit Component(const ComponentContext& context) : host_(context.host) {}
  virtual ~Component() = default;
  Component(const Component&) = delete;
  Component& operator=(const Component&) = delete;

 protected:
  const Host& host() const { return host_; }

 private:
  const Host& host_;
};

}  // namespace tessera::sdk
