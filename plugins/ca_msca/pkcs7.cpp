#include "pkcs7.hpp"

#include <memory>
#include <vector>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <tessera/sdk/error.hpp>

namespace tessera::msca {
namespace {

using sdk::Error;

std::string pem_of(X509* certificate) {
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_X509(out.get(), certificate);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

std::string decode_base64(const std::string& text, const char* what) {
  std::string clean;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '-') {  // PEM armour: skip the line
      const auto end = text.find('\n', i);
      if (end == std::string::npos) break;
      i = end;
      continue;
    }
    if (text[i] != '\r' && text[i] != '\n' && text[i] != ' ' && text[i] != '\t') clean += text[i];
  }
  std::string out(clean.size() / 4 * 3 + 3, '\0');
  const int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                   reinterpret_cast<const unsigned char*>(clean.data()),
                                   static_cast<int>(clean.size()));
  // '=' only as the padding at the end (EVP_DecodeBlock would read one inside as zero bits).
  const auto pad = clean.find('=');
  if (clean.empty() || clean.size() % 4 != 0 || size < 0 ||
      (pad != std::string::npos && pad < clean.size() - 2) ||
      (pad == clean.size() - 2 && clean.back() != '='))
    throw Error::unavailable(std::string(what) + " is not base64");
  size_t padding = 0;
  while (padding < 2 && clean.size() > padding && clean[clean.size() - 1 - padding] == '=')
    ++padding;
  out.resize(static_cast<size_t>(size) - padding);
  return out;
}

std::string encode_base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int size = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                   reinterpret_cast<const unsigned char*>(bytes.data()),
                                   static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(size));
  return out;
}

namespace {

using Pkcs7 = std::unique_ptr<PKCS7, decltype(&PKCS7_free)>;

// The PKCS#7 and its certificates (owned by it).
std::vector<X509*> certificates_in(const std::string& der, Pkcs7& pkcs7) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  pkcs7.reset(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
  if (!pkcs7 || !PKCS7_type_is_signed(pkcs7.get()) || !pkcs7->d.sign || !pkcs7->d.sign->cert ||
      sk_X509_num(pkcs7->d.sign->cert) == 0)
    throw Error::unavailable("the CA's PKCS#7 holds no certificates");
  std::vector<X509*> all;
  for (int i = 0; i < sk_X509_num(pkcs7->d.sign->cert); ++i)
    all.push_back(sk_X509_value(pkcs7->d.sign->cert, i));
  return all;
}

}  // namespace

std::string certificates_of_pkcs7(const std::string& der, const std::string& except) {
  Pkcs7 pkcs7(nullptr, &PKCS7_free);
  std::string out;
  for (X509* certificate : certificates_in(der, pkcs7)) {
    unsigned char* bytes = nullptr;
    const int size = i2d_X509(certificate, &bytes);
    const bool skipped = size > 0 && std::string(reinterpret_cast<char*>(bytes),
                                                 static_cast<size_t>(size)) == except;
    OPENSSL_free(bytes);
    if (!skipped) out += pem_of(certificate);
  }
  return out;
}

std::string chain_of_pkcs7(const std::string& der) {
  Pkcs7 pkcs7(nullptr, &PKCS7_free);
  const auto all = certificates_in(der, pkcs7);
  // The issued certificate: not a CA, and no other certificate of the set names it as issuer.
  X509* leaf = nullptr;
  for (X509* candidate : all) {
    bool issues_another = false;
    for (X509* other : all)
      if (other != candidate && X509_check_issued(candidate, other) == X509_V_OK)
        issues_another = true;
    if (!issues_another && X509_check_ca(candidate) == 0) leaf = candidate;
  }
  if (!leaf) throw Error::unavailable("the CA's PKCS#7 holds no issued certificate");
  std::string chain = pem_of(leaf);
  X509* current = leaf;
  for (size_t n = 0; n < all.size(); ++n) {
    X509* issuer = nullptr;
    for (X509* other : all)
      if (other != current && X509_check_issued(other, current) == X509_V_OK) issuer = other;
    if (!issuer || issuer == current) break;
    chain += pem_of(issuer);
    if (X509_check_issued(issuer, issuer) == X509_V_OK) break;  // the root
    current = issuer;
  }
  return chain;
}

}  // namespace tessera::msca
