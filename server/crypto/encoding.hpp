// Base64 (through OpenSSL) and hex.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::crypto {

std::string base64_encode(const uint8_t* data, size_t size);
// Lower-case hex, two digits a byte.
std::string hex_encode(const uint8_t* data, size_t size);
// nullopt for input that is not canonical base64.
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text);

}  // namespace tessera::crypto
