// eduMFA's and privacyIDEA's encryption, made here with OpenSSL as eduMFA makes it (AES-256-CBC
// under the first of three keys, the seed's hex encrypted), read back by the importer.
#include <openssl/evp.h>

#include <gtest/gtest.h>

#include <string>

#include "server/migration/edumfa_secrets.hpp"

namespace tessera::migration {
namespace {

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string encrypt(const std::string& key, const std::string& iv, const std::string& plain,
                    bool pkcs7) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  std::string out(plain.size() + 16, '\0');
  int written = 0, last = 0;
  EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), nullptr,
                     reinterpret_cast<const unsigned char*>(key.data()),
                     reinterpret_cast<const unsigned char*>(iv.data()));
  EVP_CIPHER_CTX_set_padding(ctx, pkcs7 ? 1 : 0);
  EVP_EncryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &written,
                    reinterpret_cast<const unsigned char*>(plain.data()),
                    static_cast<int>(plain.size()));
  EVP_EncryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()) + written, &last);
  EVP_CIPHER_CTX_free(ctx);
  out.resize(static_cast<size_t>(written + last));
  return out;
}

const std::string kTokenKey(32, 'T'), kConfigKey(32, 'C'), kValueKey(32, 'V');
const std::string kIv = "0123456789abcdef";
const std::string kSeed = "12345678901234567890";  // RFC 4226's

TEST(EduMfaSecrets, ReadsASeedWithEitherPaddingAndRefusesAnotherKey) {
  const auto secrets = EduMfaSecrets::from_bytes(kTokenKey + kConfigKey + kValueKey);
  // set_otpkey: the seed's hex, PKCS#7.
  EXPECT_EQ(secrets.token_seed(hex(encrypt(kTokenKey, kIv, hex(kSeed), true)), hex(kIv)), kSeed);
  // The older padding: the hex of the data, 0x01 0x02, zeros.
  auto legacy = hex(hex(kSeed)) + "\x01\x02";
  legacy.append((16 - legacy.size() % 16) % 16, '\0');
  EXPECT_EQ(secrets.token_seed(hex(encrypt(kTokenKey, kIv, legacy, false)), hex(kIv)), kSeed);
  // Encrypted under another key: refused with the reason, never garbage.
  try {
    secrets.token_seed(hex(encrypt(kConfigKey, kIv, hex(kSeed), true)), hex(kIv));
    ADD_FAILURE() << "a seed under another key was read";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("cannot be read with this key file"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(secrets.token_seed("zz", hex(kIv)), std::invalid_argument);
}

TEST(EduMfaSecrets, ReadsIvColonCipherValuesAndRefusesKeyFilesOfTheWrongShape) {
  const auto secrets = EduMfaSecrets::from_bytes(kTokenKey + kConfigKey + kValueKey);
  const auto password = hex(kIv) + ":" + hex(encrypt(kConfigKey, kIv, "bind secret", true));
  EXPECT_EQ(secrets.value(password, EduMfaSecrets::Slot::config), "bind secret");
  const auto pin = hex(kIv) + ":" + hex(encrypt(kTokenKey, kIv, "1234", true));
  EXPECT_EQ(secrets.value(pin, EduMfaSecrets::Slot::token), "1234");
  EXPECT_THROW(secrets.value("no colon", EduMfaSecrets::Slot::token), std::invalid_argument);
  EXPECT_THROW(EduMfaSecrets::from_bytes(std::string(64, 'k')), std::invalid_argument);
  try {
    EduMfaSecrets::from_bytes(std::string(200, 'a'));
    ADD_FAILURE();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("encrypted with a password"), std::string::npos);
  }
}

}  // namespace
}  // namespace tessera::migration
