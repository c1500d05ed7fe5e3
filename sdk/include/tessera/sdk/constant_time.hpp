// Comparison of secrets (OTP values, codes, MACs) whose time does not depend on where the
// inputs differ, so an attacker cannot learn a secret byte by byte from response times.
#pragma once

#include <string_view>

namespace tessera::sdk {

inline bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  // The length of a credential is not secret; its content is.
  if (a.size() != b.size()) return false;
  volatile unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff = diff | static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace tessera::sdk
