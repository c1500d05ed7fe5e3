// Checks an instance's configuration against the parameters its component declares: unknown
// keys, missing required keys and wrong types are refused; defaults are filled in.
#pragma once

#include <stdexcept>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "tessera/abi/tessera_plugin_abi.h"

namespace tessera::plugins {

class ComponentConfigError : public std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

boost::json::object validate_component_config(const tessera_component_v1& component,
                                              const boost::json::object& config);

// The configuration with every SECRET parameter's value replaced by "***", for logs and the
// admin API.
boost::json::object redact_component_config(const tessera_component_v1& component,
                                            const boost::json::object& config);

// Form bodies carry only text: turns "3650" into 3650, "true"/"1" into true and "a,b" into a
// list where the parameter is declared so. Other values are left for validation to judge.
boost::json::object coerce_component_config(const tessera_component_v1& component,
                                            const boost::json::object& config);
const char* kind_name(uint32_t kind);

// Whether value is of the parameter type (a tessera_param_type).
bool param_has_type(const boost::json::value& value, uint32_t type);

}  // namespace tessera::plugins
