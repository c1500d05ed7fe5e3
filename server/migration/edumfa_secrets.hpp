// The secrets of an eduMFA or privacyIDEA database, opened with its encryption key file
// (EDUMFA_ENCFILE / PI_ENCFILE): 96 bytes, three AES-256 keys, for tokens, configuration and
// values. Values are AES-256-CBC with PKCS#7 padding (or the older padding: the hex of the data
// ended by 0x01 0x02 and zeros). A token's seed is stored as the encrypted hex of its bytes.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace tessera::migration {

class EduMfaSecrets {
 public:
  enum class Slot { token = 0, config = 1, value = 2 };

  // Throws std::invalid_argument naming what is wrong with the file (a key file encrypted with
  // a password is refused: decrypt it with eduMFA's tools first).
  static EduMfaSecrets load(const std::filesystem::path& file);
  static EduMfaSecrets from_bytes(std::string_view bytes);

  // A token's seed from its key_enc and key_iv columns (hex), as bytes. Throws
  // std::invalid_argument when they do not decrypt with this key.
  std::string token_seed(std::string_view key_enc_hex, std::string_view key_iv_hex) const;
  // A value stored as "hex(iv):hex(cipher)" (an encrypted PIN after its "@@", a resolver's
  // password): the plain text.
  std::string value(std::string_view iv_and_cipher, Slot slot) const;

 private:
  std::string decrypt(Slot slot, const std::string& iv, const std::string& cipher) const;

  std::array<std::array<uint8_t, 32>, 3> keys_{};
};

}  // namespace tessera::migration
