#include "server/migration/edumfa_secrets.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

namespace tessera::migration {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string from_hex(std::string_view hex, const char* what) {
  if (hex.size() % 2) throw std::invalid_argument(std::string(what) + " is not hex");
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int high = hex_digit(hex[i]), low = hex_digit(hex[i + 1]);
    if (high < 0 || low < 0) throw std::invalid_argument(std::string(what) + " is not hex");
    out.push_back(static_cast<char>(high * 16 + low));
  }
  return out;
}

}  // namespace

EduMfaSecrets EduMfaSecrets::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::invalid_argument("cannot read the key file " + file.string());
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  auto secrets = from_bytes(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return secrets;
}

EduMfaSecrets EduMfaSecrets::from_bytes(std::string_view bytes) {
  // eduMFA reads a longer file as one encrypted with a password (hex "iv:cipher").
  if (bytes.size() > 100)
    throw std::invalid_argument(
        "the key file is encrypted with a password: decrypt it with eduMFA's or privacyIDEA's "
        "tools first (a plain key file has 96 bytes)");
  if (bytes.size() < 96)
    throw std::invalid_argument("the key file has " + std::to_string(bytes.size()) +
                                " bytes; an eduMFA or privacyIDEA key file has 96");
  EduMfaSecrets secrets;
  for (size_t slot = 0; slot < 3; ++slot)
    for (size_t i = 0; i < 32; ++i)
      secrets.keys_[slot][i] = static_cast<uint8_t>(bytes[slot * 32 + i]);
  return secrets;
}

std::string EduMfaSecrets::decrypt(Slot slot, const std::string& iv,
                                   const std::string& cipher) const {
  if (iv.size() != 16 || cipher.empty() || cipher.size() % 16)
    throw std::invalid_argument("not an AES-CBC value (IV of 16 bytes, whole blocks)");
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      &EVP_CIPHER_CTX_free);
  std::string plain(cipher.size(), '\0');
  int written = 0, last = 0;
  const auto& key = keys_[static_cast<size_t>(slot)];
  // Unpadded here: both paddings are removed below.
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key.data(),
                         reinterpret_cast<const unsigned char*>(iv.data())) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &written,
                        reinterpret_cast<const unsigned char*>(cipher.data()),
                        static_cast<int>(cipher.size())) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + written,
                          &last) != 1)
    throw std::invalid_argument("does not decrypt");
  plain.resize(static_cast<size_t>(written + last));
  // PKCS#7: n bytes of value n, 1 to 16.
  const auto pad = static_cast<unsigned char>(plain.back());
  bool pkcs7 = pad >= 1 && pad <= 16 && pad <= plain.size();
  for (size_t i = plain.size() - (pkcs7 ? pad : 0); pkcs7 && i < plain.size(); ++i)
    pkcs7 = static_cast<unsigned char>(plain[i]) == pad;
  if (pkcs7) {
    std::string data(plain.data(), plain.size() - pad);
    OPENSSL_cleanse(plain.data(), plain.size());
    return data;
  }
  // The older padding: the data's hex, then 0x01 0x02, then zeros.
  const auto end = std::string_view(plain).rfind(std::string_view("\x01\x02", 2));
  if (end == std::string::npos) throw std::invalid_argument("does not decrypt with this key");
  auto data = from_hex(std::string_view(plain).substr(0, end), "the value");
  OPENSSL_cleanse(plain.data(), plain.size());
  return data;
}

std::string EduMfaSecrets::token_seed(std::string_view key_enc_hex,
                                      std::string_view key_iv_hex) const {
  try {
    auto hex =
        decrypt(Slot::token, from_hex(key_iv_hex, "key_iv"), from_hex(key_enc_hex, "key_enc"));
    auto seed = from_hex(hex, "the decrypted seed");
    OPENSSL_cleanse(hex.data(), hex.size());
    if (seed.empty()) throw std::invalid_argument("the seed is empty");
    return seed;
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("its seed cannot be read with this key file (") +
                                e.what() + ")");
  }
}

std::string EduMfaSecrets::value(std::string_view iv_and_cipher, Slot slot) const {
  const auto colon = iv_and_cipher.find(':');
  if (colon == std::string_view::npos)
    throw std::invalid_argument("an encrypted value is hex(iv):hex(cipher)");
  return decrypt(slot, from_hex(iv_and_cipher.substr(0, colon), "the IV"),
                 from_hex(iv_and_cipher.substr(colon + 1), "the cipher text"));
}

}  // namespace tessera::migration
