// Reading a field of a JSON object that may be missing or of another type: "" or 0 then, as the
// token infos and plugin answers the server reads are written by many hands.
#pragma once

#include <string>

#include <boost/json/object.hpp>

namespace tessera::util {

inline std::string text(const boost::json::object& object, const char* key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

inline long long number(const boost::json::object& object, const char* key) {
  const auto* value = object.if_contains(key);
  return value && value->is_int64() ? value->get_int64() : 0;
}

}  // namespace tessera::util
