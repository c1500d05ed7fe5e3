#include "jws.hpp"

#include <stdexcept>
#include <vector>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

namespace tessera::acme {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("ACME account key: " + what);
}

std::string bignum_bytes(EVP_PKEY* key, const char* name, int pad) {
  BIGNUM* n = nullptr;
  if (!EVP_PKEY_get_bn_param(key, name, &n)) fail(std::string("no parameter ") + name);
  std::string out(pad > 0 ? static_cast<size_t>(pad) : static_cast<size_t>(BN_num_bytes(n)), '\0');
  BN_bn2binpad(n, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(n);
  return out;
}

bool is_ec(EVP_PKEY* key) {
  return EVP_PKEY_get_base_id(key) == EVP_PKEY_EC;
}

}  // namespace

std::string base64url(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (auto& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

std::string base64url_decode(std::string_view text) {
  std::string padded(text);
  for (auto& c : padded) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (!std::isalnum(static_cast<unsigned char>(c)))
      throw std::invalid_argument("not base64url");
  }
  if (padded.size() % 4 == 1) throw std::invalid_argument("not base64url");
  while (padded.size() % 4) padded += '=';
  std::string out(padded.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(padded.data()),
                                static_cast<int>(padded.size()));
  if (n < 0) throw std::invalid_argument("not base64url");
  size_t size = static_cast<size_t>(n);
  for (auto it = padded.rbegin(); it != padded.rend() && *it == '='; ++it) --size;
  out.resize(size);
  return out;
}

AccountKey AccountKey::generate(const std::string& type) {
  EVP_PKEY* key = type == "ec-p256"    ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                  : type == "rsa-3072" ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072})
                                       : nullptr;
  if (!key) fail("cannot make a key of type '" + type + "' (ec-p256 or rsa-3072)");
  return AccountKey(key);
}

AccountKey AccountKey::from_pem(const std::string& pem) {
  BIO* in = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  if (!key) fail("the stored key does not parse");
  return AccountKey(key);
}

std::string AccountKey::pem() const {
  BIO* out = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(out, key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  std::string text(data, static_cast<size_t>(size));
  BIO_free(out);
  return text;
}

boost::json::object AccountKey::jwk() const {
  if (is_ec(key_.get()))
    return {{"crv", "P-256"},
            {"kty", "EC"},
            {"x", base64url(bignum_bytes(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32))},
            {"y", base64url(bignum_bytes(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
  return {{"e", base64url(bignum_bytes(key_.get(), OSSL_PKEY_PARAM_RSA_E, 0))},
          {"kty", "RSA"},
          {"n", base64url(bignum_bytes(key_.get(), OSSL_PKEY_PARAM_RSA_N, 0))}};
}

const char* AccountKey::algorithm() const {
  return is_ec(key_.get()) ? "ES256" : "RS256";
}

std::string AccountKey::sign(std::string_view data) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  EVP_MD_CTX_free);
  size_t size = 0;
  if (!EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key_.get()) ||
      !EVP_DigestSign(context.get(), nullptr, &size,
                      reinterpret_cast<const unsigned char*>(data.data()), data.size()))
    fail("signing failed");
  std::string signature(size, '\0');
  if (!EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                      reinterpret_cast<const unsigned char*>(data.data()), data.size()))
    fail("signing failed");
  signature.resize(size);
  if (!is_ec(key_.get())) return signature;
  // ES256 is r || s, 32 bytes each (RFC 7518 section 3.4), not OpenSSL's DER.
  const auto* der = reinterpret_cast<const unsigned char*>(signature.data());
  ECDSA_SIG* parsed = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size()));
  if (!parsed) fail("signing failed");
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(parsed), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(parsed), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(parsed);
  return raw;
}

boost::json::object sign_jws(const AccountKey& key, boost::json::object protected_header,
                             const std::string& payload) {
  protected_header["alg"] = key.algorithm();
  const auto header = base64url(boost::json::serialize(protected_header));
  const auto body = base64url(payload);
  return {{"protected", header},
          {"payload", body},
          {"signature", base64url(key.sign(header + "." + body))}};
}

boost::json::object external_account_binding(const std::string& key_id,
                                             const std::string& mac_key_base64url,
                                             const boost::json::object& jwk,
                                             const std::string& new_account_url) {
  const auto mac_key = base64url_decode(mac_key_base64url);
  const auto header = base64url(boost::json::serialize(
      boost::json::object{{"alg", "HS256"}, {"kid", key_id}, {"url", new_account_url}}));
  const auto payload = base64url(boost::json::serialize(jwk));
  const auto input = header + "." + payload;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!HMAC(EVP_sha256(), mac_key.data(), static_cast<int>(mac_key.size()),
            reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &size))
    throw std::runtime_error("HMAC failed");
  return {{"protected", header},
          {"payload", payload},
          {"signature", base64url(std::string(reinterpret_cast<char*>(mac), size))}};
}

}  // namespace tessera::acme
