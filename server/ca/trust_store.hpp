// A set of trusted root (or intermediate) CA certificates from a PEM file, and the check that a
// certificate leads to one of them: the CAs whose existing certificates users may enroll, or the
// roots of attestation certificates.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <openssl/x509_vfy.h>

namespace tessera::ca {

class TrustStore {
 public:
  // Trusts nobody.
  TrustStore() = default;
  // Reads every certificate in file; throws std::runtime_error naming the file when it holds
  // none or one does not parse.
  static TrustStore load(const std::filesystem::path& file);

  bool empty() const { return !store_; }

  enum class Purpose { any, client_authentication };
  // nullopt when certificate (PEM) chains to a trusted certificate now, through the
  // intermediates given (PEM, any number) if needed; else why not, in OpenSSL's words.
  std::optional<std::string> verify(const std::string& certificate_pem,
                                    const std::string& intermediates_pem, Purpose purpose) const;

 private:
  std::shared_ptr<X509_STORE> store_;
};

}  // namespace tessera::ca
