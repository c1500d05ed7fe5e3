#include "server/ca/certificate_login.hpp"

#include <openssl/evp.h>

#include <ctime>

#include <boost/json.hpp>

#include "server/crypto/x509.hpp"

namespace tessera::ca {

std::string external_ca_of(const std::string& certificate_pem) {
  auto certificate = crypto::parse_certificate(certificate_pem);
  if (!certificate) return {};
  unsigned char* der = nullptr;
  const int size = i2d_X509_NAME(X509_get_issuer_name(certificate.get()), &der);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(der, static_cast<size_t>(size > 0 ? size : 0), digest, &length, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  static constexpr char hex[] = "0123456789abcdef";
  std::string id = "external:";
  for (unsigned int i = 0; i < 16 && i < length; ++i) {
    id += hex[digest[i] >> 4];
    id += hex[digest[i] & 15];
  }
  return id;
}

namespace {

bool holds(const db::TokenRow& token, const std::string& ca, const std::string& serial) {
  boost::system::error_code ec;
  auto info = boost::json::parse(token.info, ec);
  if (ec || !info.is_object()) return false;
  const auto& object = info.as_object();
  auto text = [&](const char* key) {
    const auto* value = object.if_contains(key);
    return value && value->is_string() ? std::string(value->get_string()) : std::string();
  };
  return text("certificate_serial") == serial &&
         (is_external_ca(ca) ? text("external_ca") : text("ca")) == ca;
}

}  // namespace

CertificateMatch CertificateLogin::match(const std::string& presented_pem) {
  auto presented = crypto::parse_certificate(presented_pem);
  if (!presented) return {std::nullopt, "the client certificate does not parse"};
  const auto serial = crypto::serial_hex(presented.get());
  const auto der = crypto::der_of(presented.get());
  std::optional<db::CertificateRow> known;
  for (auto& row : certificates_.with_serial(serial)) {
    // The same serial at another CA is a different certificate: compare all of it.
    auto stored = crypto::parse_certificate(row.pem);
    if (stored && crypto::der_of(stored.get()) == der) known = std::move(row);
  }
  if (!known) {
    if (trusted_cas_.verify(presented_pem, "", TrustStore::Purpose::client_authentication))
      return {std::nullopt, "certificate " + serial + " is not signed by a trusted CA"};
    return {std::nullopt, "certificate " + serial + " was not enrolled here"};
  }
  if (known->revoked) return {std::nullopt, "certificate " + serial + " is revoked"};
  if (known->not_after <= static_cast<long long>(std::time(nullptr)))
    return {std::nullopt, "certificate " + serial + " has expired"};
  // An admin may have stopped trusting the CA of an existing certificate since it was enrolled.
  if (is_external_ca(known->ca))
    if (auto why =
            trusted_cas_.verify(presented_pem, "", TrustStore::Purpose::client_authentication))
      return {std::nullopt, "certificate " + serial + " is no longer trusted: " + *why};
  auto token = known->token_serial.empty() ? std::nullopt : tokens_.find(known->token_serial);
  if (!token) return {std::nullopt, "the token of certificate " + serial + " is gone"};
  // The token must hold this very certificate: a serial alone may have been reused.
  if ((token->type != "certificate" && token->type != "smartcard") ||
      !holds(*token, known->ca, serial))
    return {std::nullopt, "certificate " + serial + " is not token " + token->serial + "'s"};
  if (token->revoked) return {std::nullopt, "token " + token->serial + " is revoked"};
  if (!token->active) return {std::nullopt, "token " + token->serial + " is disabled"};
  if (token->rollout_state != "enrolled")
    return {std::nullopt,
            "token " + token->serial + " is not enrolled (" + token->rollout_state + ")"};
  return {std::move(token), {}};
}

}  // namespace tessera::ca
