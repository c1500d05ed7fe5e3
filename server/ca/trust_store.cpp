#include "server/ca/trust_store.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "server/crypto/x509.hpp"

namespace tessera::ca {

TrustStore TrustStore::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) throw std::runtime_error(file.string() + ": cannot be read");
  auto certificates = crypto::parse_certificates(text.str());
  if (certificates.empty())
    throw std::runtime_error(file.string() + ": holds no PEM certificate, or one does not parse");
  TrustStore trust;
  trust.store_.reset(X509_STORE_new(), X509_STORE_free);
  // An admin may trust an issuing CA without its root.
  X509_STORE_set_flags(trust.store_.get(), X509_V_FLAG_PARTIAL_CHAIN);
  for (const auto& certificate : certificates)
    if (X509_STORE_add_cert(trust.store_.get(), certificate.get()) != 1) {
      ERR_clear_error();  // the same certificate twice: harmless
    }
  return trust;
}

std::optional<std::string> TrustStore::verify(const std::string& certificate_pem,
                                              const std::string& intermediates_pem,
                                              Purpose purpose) const {
  auto certificate = crypto::parse_certificate(certificate_pem);
  if (!certificate) return "the certificate does not parse";
  if (!store_) return "no trusted CA is configured";
  auto intermediates = crypto::parse_certificates(intermediates_pem);
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> chain(
      sk_X509_new_null(), [](STACK_OF(X509) * s) { sk_X509_free(s); });
  for (const auto& c : intermediates) sk_X509_push(chain.get(), c.get());
  std::unique_ptr<X509_STORE_CTX, void (*)(X509_STORE_CTX*)> context(X509_STORE_CTX_new(),
                                                                     X509_STORE_CTX_free);
  if (!context ||
      X509_STORE_CTX_init(context.get(), store_.get(), certificate.get(), chain.get()) != 1) {
    ERR_clear_error();
    return "the certificate cannot be checked";
  }
  if (purpose == Purpose::client_authentication)
    X509_STORE_CTX_set_purpose(context.get(), X509_PURPOSE_SSL_CLIENT);
  if (X509_verify_cert(context.get()) == 1) return std::nullopt;
  const int error = X509_STORE_CTX_get_error(context.get());
  ERR_clear_error();
  const std::string reason = X509_verify_cert_error_string(error);
  switch (error) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return "it is not signed by a trusted CA (" + reason + ")";
    default:
      return reason;
  }
}

}  // namespace tessera::ca
