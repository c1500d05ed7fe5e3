// RAND_bytes wrappers; a failing DRBG is fatal to the caller, never silently weak.
#include "server/crypto/random.hpp"

#include <stdexcept>

#include <openssl/rand.h>

namespace tessera::crypto {

void random_fill(uint8_t* out, size_t size) {
  if (size && RAND_bytes(out, static_cast<int>(size)) != 1)
    throw std::runtime_error("the random number generator failed");
}

std::vector<uint8_t> random_bytes(size_t size) {
  std::vector<uint8_t> out(size);
  random_fill(out.data(), size);
  return out;
}

std::string random_password(size_t length) {
  static constexpr char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  constexpr size_t n = sizeof(alphabet) - 1;
  std::string out;
  while (out.size() < length) {
    uint8_t b = random_bytes(1)[0];
    if (b >= 256 - 256 % n) continue;  // rejection sampling keeps every character equally likely
    out += alphabet[b % n];
  }
  return out;
}

}  // namespace tessera::crypto
