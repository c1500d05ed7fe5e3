#include "server/api/params.hpp"

#include "server/api/api_error.hpp"

namespace tessera::api {

std::string string_param(const http::RequestContext& c, const char* key, size_t max_size) {
  auto it = c.params.find(key);
  if (it == c.params.end()) return {};
  std::string text;
  const auto& v = it->value();
  if (v.is_string())
    text = std::string(v.as_string());
  else if (v.is_int64())
    text = std::to_string(v.as_int64());
  else if (v.is_bool())
    text = v.as_bool() ? "true" : "false";
  else
    throw ApiError::bad_parameter(std::string("parameter '") + key + "' must be a string");
  if (text.size() > max_size)
    throw ApiError::bad_parameter(std::string("parameter '") + key + "' is longer than " +
                                  std::to_string(max_size) + " characters");
  return text;
}

std::string required_param(const http::RequestContext& c, const char* key, size_t max_size) {
  auto text = string_param(c, key, max_size);
  if (text.empty()) throw ApiError::bad_parameter(std::string("missing parameter '") + key + "'");
  return text;
}

int int_param(const http::RequestContext& c, const char* key, int fallback, int min, int max) {
  auto text = string_param(c, key, 32);
  if (text.empty()) return fallback;
  try {
    size_t used = 0;
    int value = std::stoi(text, &used);
    if (used == text.size() && value >= min && value <= max) return value;
  } catch (const std::exception&) {
  }
  throw ApiError::bad_parameter(std::string("parameter '") + key + "' must be a number from " +
                                std::to_string(min) + " to " + std::to_string(max));
}

std::optional<long long> long_param(const http::RequestContext& c, const char* key, long long min,
                                    long long max) {
  auto text = string_param(c, key, 32);
  if (text.empty()) return std::nullopt;
  try {
    size_t used = 0;
    const long long value = std::stoll(text, &used);
    if (used == text.size() && value >= min && value <= max) return value;
  } catch (const std::exception&) {
  }
  throw ApiError::bad_parameter(std::string("parameter '") + key + "' must be a number from " +
                                std::to_string(min) + " to " + std::to_string(max));
}

bool bool_param(const http::RequestContext& c, const char* key, bool fallback) {
  auto text = string_param(c, key, 8);
  if (text.empty()) return fallback;
  if (text == "1" || text == "true" || text == "True") return true;
  if (text == "0" || text == "false" || text == "False") return false;
  throw ApiError::bad_parameter(std::string("parameter '") + key + "' must be 1 or 0");
}

void check_identifier(const std::string& name, const char* what) {
  if (name.empty() || name.size() > 64 ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
          std::string::npos)
    throw ApiError::bad_parameter(std::string("a ") + what +
                                  " name has 1 to 64 letters, digits, '_', '-' or '.'");
}

}  // namespace tessera::api
