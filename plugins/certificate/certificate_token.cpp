// The certificate token: an X.509 certificate for a user, from a CSR they send. This plugin
// checks what the user sends (a well-formed CSR whose signature verifies, so the requester
// holds the key); the host then has the certificate issued by a CA connector under a profile,
// with the subject and names taken from the user, never from the CSR.
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include <tessera/sdk/plugin.hpp>

namespace {

using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;

constexpr size_t kMaxRequest = 64 * 1024;

struct Free {
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_REQ* p) const { X509_REQ_free(p); }
};

std::string text(const boost::json::object& object, const char* key) {
  const auto* value = object.if_contains(key);
  if (!value || value->is_null()) return {};
  if (!value->is_string()) throw Error::invalid_argument(std::string("'") + key + "' must be text");
  return std::string(value->get_string());
}

// The CSR in canonical PEM, once its signature verified.
std::string checked_request(const std::string& pem) {
  if (pem.size() > kMaxRequest) throw Error::invalid_argument("the request is too large");
  std::unique_ptr<BIO, Free> in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::unique_ptr<X509_REQ, Free> csr(PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr));
  if (!csr) {
    ERR_clear_error();
    throw Error::invalid_argument("'request' is not a PEM certificate signing request");
  }
  EVP_PKEY* key = X509_REQ_get0_pubkey(csr.get());
  if (!key || X509_REQ_verify(csr.get(), key) != 1) {
    ERR_clear_error();
    throw Error::invalid_argument("the request's signature does not verify");
  }
  std::unique_ptr<BIO, Free> out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(out.get(), csr.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

class CertificateToken : public tessera::sdk::TokenType {
 public:
  using TokenType::TokenType;

  static ComponentInfo describe() { return {"certificate", "X.509 certificate", {}}; }

  // Returns the CSR for the host to have signed ("csr"); the token has no OTP.
  boost::json::object enroll(const boost::json::object& request) override {
    const auto& params = request.at("params").as_object();
    const auto csr = text(params, "request");
    if (csr.empty())
      throw Error::invalid_argument(
          "give 'request': a PEM CSR (server-made keys and existing certificates come later)");
    return {{"otplen", 0},
            {"csr", checked_request(csr)},
            {"info", {{"tokenkind", "software"}}},
            {"detail", boost::json::object()}};
  }

  // A certificate is not an OTP: /validate/check never accepts one (certificate login comes
  // with mutual TLS).
  boost::json::object verify(const boost::json::object&) override { return {{"match", false}}; }
};

}  // namespace

TESSERA_PLUGIN("org.tessera.certificate", "0.1.0", tessera::sdk::component<CertificateToken>());
