// The exception a plugin throws to fail an operation with a message the admin or user can act
// on. The SDK's barrier turns it into a status code at the ABI; nothing crosses as an exception.
#pragma once

#include <stdexcept>
#include <string>

#include "tessera/abi/tessera_plugin_abi.h"

namespace tessera::sdk {

class Error : public std::runtime_error {
 public:
  enum class Kind { invalid_argument, not_found, unavailable, internal };

  Error(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}

  static Error invalid_argument(const std::string& message) {
    return {Kind::invalid_argument, message};
  }
  static Error not_found(const std::string& message) { return {Kind::not_found, message}; }
  static Error unavailable(const std::string& message) { return {Kind::unavailable, message}; }

  Kind kind() const noexcept { return kind_; }

  tessera_status status() const noexcept {
    switch (kind_) {
      case Kind::invalid_argument:
        return TESSERA_ERR_INVALID_ARGUMENT;
      case Kind::not_found:
        return TESSERA_ERR_NOT_FOUND;
      case Kind::unavailable:
        return TESSERA_ERR_UNAVAILABLE;
      case Kind::internal:
        break;
    }
    return TESSERA_ERR_INTERNAL;
  }

 private:
  Kind kind_;
};

}  // namespace tessera::sdk
