// application/x-www-form-urlencoded and URL query strings, for plugins that talk HTTP to
// gateways and CAs: one copy for every plugin instead of one each.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera::sdk {

// RFC 3986's unreserved characters stay; every other byte becomes %XX (a space too).
inline std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// name=value&name=value, each part percent-encoded.
inline std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields)
    out += (out.empty() ? "" : "&") + percent_encode(name) + "=" + percent_encode(value);
  return out;
}

}  // namespace tessera::sdk
