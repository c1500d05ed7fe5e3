// Cryptographically secure randomness from OpenSSL's DRBG.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tessera::crypto {

void random_fill(uint8_t* out, size_t size);
std::vector<uint8_t> random_bytes(size_t size);
// A password of `length` characters from an alphabet without look-alikes (no 0/O, 1/l/I).
std::string random_password(size_t length = 20);

}  // namespace tessera::crypto
