// Reading request parameters with clear errors (they may come as form strings or JSON values).
#pragma once

#include <optional>
#include <string>

#include "server/http/router.hpp"

namespace tessera::api {

// The parameter as text ("" when absent); numbers and booleans from JSON bodies are accepted.
// Longer than max_size: 400.
std::string string_param(const http::RequestContext& c, const char* key, size_t max_size = 1024);
// As string_param, but absent or empty is a 400 naming the parameter.
std::string required_param(const http::RequestContext& c, const char* key, size_t max_size = 1024);
int int_param(const http::RequestContext& c, const char* key, int fallback, int min, int max);
// A whole number from min to max, or nothing when the parameter is absent or empty.
std::optional<long long> long_param(const http::RequestContext& c, const char* key, long long min,
                                    long long max);
// "1"/"true"/true or "0"/"false"/false; fallback when absent.
bool bool_param(const http::RequestContext& c, const char* key, bool fallback);

// Names of resolvers, realms and policies: 1 to 64 letters, digits, '_', '-' or '.'; else 400.
void check_identifier(const std::string& name, const char* what);

}  // namespace tessera::api
