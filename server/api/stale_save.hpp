// A save from a form read at an older version (db::StaleVersion) answers 409 with the reason.
#pragma once

#include <limits>
#include <optional>
#include <utility>

#include "db/row_version.hpp"
#include "server/api/api_error.hpp"
#include "server/api/params.hpp"

namespace tessera::api {

// The `version` parameter: the version the caller read (0: the object must be new), or none for
// clients that predate versions (eduMFA's), whose saves are not checked.
inline std::optional<long long> version_param(const http::RequestContext& c) {
  return long_param(c, "version", 0, std::numeric_limits<long long>::max());
}

template <class Fn>
decltype(auto) refusing_stale(Fn&& save) {
  try {
    return std::forward<Fn>(save)();
  } catch (const db::StaleVersion& e) {
    throw ApiError(409, error_code::parameter, e.what());
  }
}

}  // namespace tessera::api
