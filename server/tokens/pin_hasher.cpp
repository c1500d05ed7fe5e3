#include "server/tokens/pin_hasher.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "server/crypto/encoding.hpp"
#include "server/crypto/password_hash.hpp"
#include "server/crypto/random.hpp"

namespace tessera::tokens {
namespace {

constexpr std::string_view kPrefix = "h1:";

}  // namespace

std::string PinHasher::mac(std::string_view salt, std::string_view pin) const {
  std::string message(salt);
  message += pin;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &length))
    throw std::runtime_error("HMAC failed");
  OPENSSL_cleanse(message.data(), message.size());
  return std::string(reinterpret_cast<const char*>(out), length);
}

std::string PinHasher::hash(std::string_view pin) const {
  if (pin.empty()) return {};
  const auto salt = crypto::random_bytes(16);
  const std::string salt_text(salt.begin(), salt.end());
  const auto tag = mac(salt_text, pin);
  return std::string(kPrefix) + crypto::base64_encode(salt.data(), salt.size()) + ":" +
         crypto::base64_encode(reinterpret_cast<const uint8_t*>(tag.data()), tag.size());
}

bool PinHasher::matches(std::string_view stored, std::string_view pin) const {
  if (stored.empty()) return pin.empty();
  // A PIN hash imported from eduMFA or privacyIDEA, checked as it is (at Argon2's cost).
  if (stored.starts_with("$argon2id$")) return crypto::verify_password(pin, std::string(stored));
  if (!stored.starts_with(kPrefix)) return false;
  const auto rest = stored.substr(kPrefix.size());
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) return false;
  const auto salt = crypto::base64_decode(rest.substr(0, colon));
  const auto expected = crypto::base64_decode(rest.substr(colon + 1));
  if (!salt || !expected) return false;
  const auto tag = mac(std::string(salt->begin(), salt->end()), pin);
  return tag.size() == expected->size() &&
         CRYPTO_memcmp(tag.data(), expected->data(), tag.size()) == 0;
}

}  // namespace tessera::tokens
