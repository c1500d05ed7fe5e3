#include "server/crypto/request_summary.hpp"

#include <memory>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "server/crypto/openssl_ptr.hpp"

namespace tessera::crypto {
namespace {

std::string text_of(BIO* out) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  return size > 0 ? std::string(data, static_cast<size_t>(size)) : std::string();
}

std::string key_of(EVP_PKEY* key) {
  if (!key) return "unknown";
  const std::string type = EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) : "";
  if (type == "EC") {
    char group[64] = {};
    size_t length = 0;
    EVP_PKEY_get_group_name(key, group, sizeof group, &length);
    const std::string name(group, length);
    const std::string shown = name == "prime256v1"  ? "P-256"
                              : name == "secp384r1" ? "P-384"
                              : name == "secp521r1" ? "P-521"
                                                    : name;
    return "EC " + shown;
  }
  if (type == "RSA" || type == "RSA-PSS")
    return type + " " + std::to_string(EVP_PKEY_get_bits(key));
  return type.empty() ? "unknown" : type;
}

}  // namespace

std::optional<RequestSummary> summarize_request(const std::string& pem) {
  BioPtr in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> csr(
      PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr), &X509_REQ_free);
  if (!csr) return std::nullopt;
  RequestSummary summary;
  summary.key = key_of(X509_REQ_get0_pubkey(csr.get()));
  BioPtr subject(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(subject.get(), X509_REQ_get_subject_name(csr.get()), 0, XN_FLAG_RFC2253);
  summary.subject = text_of(subject.get());
  STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(csr.get());
  auto* names = static_cast<GENERAL_NAMES*>(
      X509V3_get_d2i(extensions, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names) && i < 50; ++i) {
    BioPtr out(BIO_new(BIO_s_mem()));
    GENERAL_NAME_print(out.get(), sk_GENERAL_NAME_value(names, i));
    summary.names.push_back(text_of(out.get()));
  }
  GENERAL_NAMES_free(names);
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  return summary;
}

}  // namespace tessera::crypto
