#include "server/crypto/x509.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <ctime>

namespace tessera::crypto {
namespace {

long long unix_time(const ASN1_TIME* time) {
  struct tm parts {};
  if (!time || ASN1_TIME_to_tm(time, &parts) != 1) return 0;
  return static_cast<long long>(timegm(&parts));
}

std::string name_text(const X509_NAME* name) {
  BioPtr out(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(out.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

std::vector<X509Ptr> parse_certificates(const std::string& pem) {
  std::vector<X509Ptr> result;
  BioPtr in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  while (X509* certificate = PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr))
    result.emplace_back(certificate);
  // The loop ends with "no start line" at the end of the text; anything else is a bad block.
  const auto error = ERR_peek_last_error();
  if (error && ERR_GET_REASON(error) != PEM_R_NO_START_LINE) result.clear();
  ERR_clear_error();
  return result;
}

X509Ptr parse_certificate(const std::string& pem) {
  auto all = parse_certificates(pem);
  return all.empty() ? nullptr : std::move(all.front());
}

std::string der_of(X509* certificate) {
  unsigned char* der = nullptr;
  const int size = i2d_X509(certificate, &der);
  if (size <= 0) return {};
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  return out;
}

std::string pem_of(X509* certificate) {
  BioPtr out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(out.get(), certificate);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string serial_hex(X509* certificate) {
  BIGNUM* n = ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr);
  char* hex = BN_bn2hex(n);
  std::string text(hex ? hex : "");
  OPENSSL_free(hex);
  BN_free(n);
  return text;
}

std::string subject_text(X509* certificate) {
  return name_text(X509_get_subject_name(certificate));
}

std::string issuer_text(X509* certificate) {
  return name_text(X509_get_issuer_name(certificate));
}

long long not_before(X509* certificate) {
  return unix_time(X509_get0_notBefore(certificate));
}

long long not_after(X509* certificate) {
  return unix_time(X509_get0_notAfter(certificate));
}

bool same_public_key(EVP_PKEY* a, EVP_PKEY* b) {
  return a && b && EVP_PKEY_eq(a, b) == 1;
}

}  // namespace tessera::crypto
