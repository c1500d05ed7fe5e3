#include "server/ca/certificate_login.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>

#include <soci/soci.h>

namespace tessera::ca {
namespace {

struct Free {
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};

std::unique_ptr<X509, Free> parse(const std::string& pem) {
  std::unique_ptr<BIO, Free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::unique_ptr<X509, Free> certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return certificate;
}

std::string der_of(X509* certificate) {
  unsigned char* der = nullptr;
  const int size = i2d_X509(certificate, &der);
  if (size <= 0) return {};
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  return out;
}

std::string serial_hex(X509* certificate) {
  std::unique_ptr<BIGNUM, Free> n(ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr));
  char* hex = BN_bn2hex(n.get());
  std::string text(hex);
  OPENSSL_free(hex);
  return text;
}

}  // namespace

CertificateMatch CertificateLogin::match(const std::string& presented_pem) {
  auto presented = parse(presented_pem);
  if (!presented) return {std::nullopt, "the client certificate does not parse"};
  const auto serial = serial_hex(presented.get());
  const auto der = der_of(presented.get());
  struct Issued {
    std::string pem, token_serial;
    bool revoked = false;
    long long not_after = 0;
  };
  std::optional<Issued> issued;
  database_.with_session([&](soci::session& sql) {
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT pem, token_serial, revoked, not_after FROM certificate WHERE "
                        "serial = :s",
         soci::use(serial));
    for (const auto& r : rows) {
      // The same serial at another CA is a different certificate: compare all of it.
      auto stored = parse(r.get<std::string>(0));
      if (stored && der_of(stored.get()) == der)
        issued = Issued{r.get<std::string>(0), r.get<std::string>(1), r.get<int>(2) != 0,
                        r.get<long long>(3)};
    }
  });
  if (!issued) return {std::nullopt, "certificate " + serial + " was not issued here"};
  if (issued->revoked) return {std::nullopt, "certificate " + serial + " is revoked"};
  if (issued->not_after <= static_cast<long long>(std::time(nullptr)))
    return {std::nullopt, "certificate " + serial + " has expired"};
  auto token = tokens_.find(issued->token_serial);
  if (!token) return {std::nullopt, "the token of certificate " + serial + " is gone"};
  if (token->revoked) return {std::nullopt, "token " + token->serial + " is revoked"};
  if (!token->active) return {std::nullopt, "token " + token->serial + " is disabled"};
  if (token->rollout_state != "enrolled")
    return {std::nullopt,
            "token " + token->serial + " is not enrolled (" + token->rollout_state + ")"};
  return {std::move(token), {}};
}

}  // namespace tessera::ca
