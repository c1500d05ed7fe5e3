// Encrypts secrets at rest with AES-256-GCM under the server's key file. The associated data
// binds a ciphertext to where it is stored, so a value copied to another row does not decrypt.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tessera::crypto {

class SecretBoxError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

class SecretBox {
 public:
  static constexpr size_t key_size = 32;

  explicit SecretBox(const std::array<uint8_t, key_size>& key) : key_(key) {}
  ~SecretBox();

  // Reads the key file, or creates it (mode 0600) with a new random key when it is missing.
  static SecretBox load_or_create(const std::filesystem::path& key_file);

  // "v1:" + base64(nonce | ciphertext | tag)
  std::string seal(std::string_view plaintext, std::string_view associated_data) const;
  // Throws SecretBoxError when the value was altered, moved or sealed under another key.
  std::string open(std::string_view sealed, std::string_view associated_data) const;

 private:
  std::array<uint8_t, key_size> key_;
};

}  // namespace tessera::crypto
