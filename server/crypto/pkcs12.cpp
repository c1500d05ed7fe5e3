#include "server/crypto/pkcs12.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>

namespace tessera::crypto {
namespace {

struct Free {
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(PKCS12* p) const { PKCS12_free(p); }
  void operator()(STACK_OF(X509) * p) const { sk_X509_pop_free(p, X509_free); }
};

std::unique_ptr<BIO, Free> reader(const std::string& pem) {
  return std::unique_ptr<BIO, Free>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

constexpr int kIterations = 600000;  // PBKDF2 rounds, as OWASP advises for SHA-256

}  // namespace

std::string make_pkcs12(const std::string& key_pem, const std::string& certificate_pem,
                        const std::string& ca_pem, const std::string& password,
                        const std::string& friendly_name) {
  std::unique_ptr<EVP_PKEY, Free> key(
      PEM_read_bio_PrivateKey(reader(key_pem).get(), nullptr, nullptr, nullptr));
  std::unique_ptr<X509, Free> certificate(
      PEM_read_bio_X509(reader(certificate_pem).get(), nullptr, nullptr, nullptr));
  std::unique_ptr<X509, Free> ca(
      PEM_read_bio_X509(reader(ca_pem).get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!key || !certificate || !ca)
    throw std::invalid_argument("cannot read the key or certificates");
  if (X509_check_private_key(certificate.get(), key.get()) != 1) {
    ERR_clear_error();
    throw std::invalid_argument("the key does not belong to the certificate");
  }
  std::unique_ptr<STACK_OF(X509), Free> chain(sk_X509_new_null());
  sk_X509_push(chain.get(), ca.release());
  std::unique_ptr<PKCS12, Free> p12(PKCS12_create_ex(
      password.c_str(), friendly_name.c_str(), key.get(), certificate.get(), chain.get(),
      NID_aes_256_cbc, NID_aes_256_cbc, kIterations, -1, 0, nullptr, nullptr));  // MAC next
  if (!p12 ||
      PKCS12_set_mac(p12.get(), password.c_str(), -1, nullptr, 0, kIterations, EVP_sha256()) != 1) {
    ERR_clear_error();
    throw std::runtime_error("cannot build the PKCS#12 file");
  }
  unsigned char* der = nullptr;
  const int size = i2d_PKCS12(p12.get(), &der);
  if (size <= 0) throw std::runtime_error("cannot encode the PKCS#12 file");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  return out;
}

}  // namespace tessera::crypto
