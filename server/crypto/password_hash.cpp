// libargon2 with RFC 9106's second recommended parameter set (t=3, 64 MiB), one lane.
#include "server/crypto/password_hash.hpp"

#include <stdexcept>
#include <vector>

#include <argon2.h>

#include "server/crypto/encoding.hpp"
#include "server/crypto/random.hpp"

namespace tessera::crypto {
namespace {
constexpr uint32_t kTimeCost = 3;
constexpr uint32_t kMemoryKiB = 64 * 1024;
constexpr uint32_t kLanes = 1;
constexpr size_t kSaltSize = 16;
constexpr size_t kHashSize = 32;
}  // namespace

std::string hash_password(std::string_view password) {
  auto salt = random_bytes(kSaltSize);
  size_t encoded_size =
      argon2_encodedlen(kTimeCost, kMemoryKiB, kLanes, kSaltSize, kHashSize, Argon2_id);
  std::vector<char> encoded(encoded_size);
  int rc =
      argon2id_hash_encoded(kTimeCost, kMemoryKiB, kLanes, password.data(), password.size(),
                            salt.data(), salt.size(), kHashSize, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) throw std::runtime_error(std::string("argon2: ") + argon2_error_message(rc));
  return std::string(encoded.data());
}

std::string unmatchable_password_hash() {
  // The PHC string format that argon2id_hash_encoded writes: base64 without padding.
  auto unpadded = [](const std::vector<uint8_t>& bytes) {
    auto text = base64_encode(bytes.data(), bytes.size());
    while (!text.empty() && text.back() == '=') text.pop_back();
    return text;
  };
  return "$argon2id$v=" + std::to_string(ARGON2_VERSION_NUMBER) +
         "$m=" + std::to_string(kMemoryKiB) + ",t=" + std::to_string(kTimeCost) +
         ",p=" + std::to_string(kLanes) + "$" + unpadded(random_bytes(kSaltSize)) + "$" +
         unpadded(random_bytes(kHashSize));
}

bool verify_password(std::string_view password, const std::string& encoded_hash) {
  return argon2id_verify(encoded_hash.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace tessera::crypto
