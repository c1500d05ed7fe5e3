// Reading a request parameter the way clients send them: form fields arrive as text, JSON bodies
// may carry numbers and booleans for the same fields. One copy for every plugin.
#pragma once

#include <string>

#include <boost/json.hpp>

#include "tessera/sdk/error.hpp"

namespace tessera::sdk {

// The parameter as text: "" when absent or null, a whole number in decimal, a boolean as "1" or
// "0"; an object or array is refused with Error::invalid_argument naming the key.
inline std::string param_text(const boost::json::object& object, const char* key) {
  const auto* value = object.if_contains(key);
  if (!value || value->is_null()) return {};
  if (value->is_string()) return std::string(value->get_string());
  if (value->is_int64()) return std::to_string(value->get_int64());
  if (value->is_bool()) return value->get_bool() ? "1" : "0";
  throw Error::invalid_argument(std::string("parameter '") + key + "' must be text");
}

}  // namespace tessera::sdk
