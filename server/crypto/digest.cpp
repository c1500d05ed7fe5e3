#include "server/crypto/digest.hpp"

#include <openssl/evp.h>

#include <stdexcept>

#include "server/crypto/encoding.hpp"
#include "server/crypto/random.hpp"

namespace tessera::crypto {

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

std::string random_token() {
  auto bytes = random_bytes(32);
  auto text = base64_encode(bytes.data(), bytes.size());
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (auto& c : text) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return text;
}

}  // namespace tessera::crypto
