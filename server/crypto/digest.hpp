// SHA-256 in lower-case hex: how high-entropy tokens (enrollment links and sessions) are kept,
// so that the database never holds what opens them.
#pragma once

#include <string>
#include <string_view>

namespace tessera::crypto {

std::string sha256_hex(std::string_view data);

// 32 random bytes as base64url without padding: a token for a URL or a header.
std::string random_token();

}  // namespace tessera::crypto
