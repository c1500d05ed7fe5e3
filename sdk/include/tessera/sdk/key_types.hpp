// Key types by the names profiles use ("ec-p256", "rsa-3072", ...), for CA connectors: the host
// does not check a CSR's key against the profile's key_types, so a connector whose CA would
// not refuse it itself calls check_csr_key(request) at the top of sign_request. Needs OpenSSL 3:
// a plugin that includes this links OpenSSL::Crypto.
#pragma once

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "tessera/sdk/error.hpp"

namespace tessera::sdk {

// "ec-p256", "ec-p384", "ec-p521", "rsa-<bits>"; "" for any other key.
inline std::string key_type_of(EVP_PKEY* key) {
  if (!key) return {};
  if (EVP_PKEY_is_a(key, "RSA")) return "rsa-" + std::to_string(EVP_PKEY_get_bits(key));
  if (!EVP_PKEY_is_a(key, "EC")) return {};
  char group[64] = {};
  size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                     &length) != 1)
    return {};
  const std::string_view name(group, length);
  if (name == "prime256v1" || name == "P-256") return "ec-p256";
  if (name == "secp384r1" || name == "P-384") return "ec-p384";
  if (name == "secp521r1" || name == "P-521") return "ec-p521";
  return {};
}

// The key type of a PEM CSR, once its signature verifies (it proves the key's possession);
// Error::invalid_argument otherwise.
inline std::string csr_key_type(std::string_view pem) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> in(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  const std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> csr(
      in ? PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr) : nullptr, &X509_REQ_free);
  EVP_PKEY* key = csr ? X509_REQ_get0_pubkey(csr.get()) : nullptr;
  const bool verified = key && X509_REQ_verify(csr.get(), key) == 1;
  ERR_clear_error();
  if (!csr) throw Error::invalid_argument("the request is not a PEM certificate signing request");
  if (!verified) throw Error::invalid_argument("the CSR's signature does not verify");
  return key_type_of(key);
}

// For sign_request: Error::invalid_argument unless the CSR verifies and its key is one of
// profile.key_types.
inline void check_csr_key(const boost::json::object& request) {
  const auto* csr = request.if_contains("csr");
  if (!csr || !csr->is_string()) throw Error::invalid_argument("the request has no csr");
  const auto type = csr_key_type(csr->get_string());
  std::string allowed;
  if (const auto* profile = request.if_contains("profile"); profile && profile->is_object())
    if (const auto* types = profile->get_object().if_contains("key_types");
        types && types->is_array())
      for (const auto& listed : types->get_array()) {
        if (!listed.is_string()) continue;
        if (!type.empty() && listed.get_string() == type) return;
        allowed += (allowed.empty() ? "" : ", ") + std::string(listed.get_string());
      }
  throw Error::invalid_argument(
      "the CSR's key (" + (type.empty() ? "unknown" : type) +
      ") is not allowed here (allowed: " + (allowed.empty() ? "none" : allowed) + ")");
}

}  // namespace tessera::sdk
