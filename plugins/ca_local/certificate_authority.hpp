// The local CA's OpenSSL 3 work, in process: making or importing a CA, issuing a certificate
// for a CSR, and signing a CRL. Errors are sdk::Error with a message for the admin or user.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>

namespace tessera::ca {

struct Freer {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
};

class Authority {
 public:
  // A new CA: key_type "ec-p256", "ec-p384", "rsa-3072" or "rsa-4096"; self-signed.
  static Authority create(const std::string& key_type, const std::string& common_name,
                          int validity_days);
  // An existing CA from PEM; the key must belong to the certificate, which must be a CA.
  static Authority load(const std::string& certificate_pem, const std::string& key_pem);

  std::string certificate_pem() const;
  std::string key_pem() const;

  struct IssueRequest {
    std::string csr_pem;
    int validity_days = 365;
    std::vector<std::string> key_types;           // allowed CSR keys, e.g. "ec-p256", "rsa-3072"
    std::vector<std::string> key_usage;           // digitalSignature, keyEncipherment, ...
    std::vector<std::string> extended_key_usage;  // clientAuth, emailProtection, smartcardLogon
    std::vector<std::pair<std::string, std::string>> subject;  // ("CN", "Alice"), ...
    std::vector<std::string> san_email, san_upn, san_dns, san_ip, san_permanent_identifier;
    std::string crl_url;  // CRL distribution point; empty: none
  };
  struct Issued {
    std::string certificate_pem;
    std::string serial_hex;  // upper case
    long long not_after = 0;
  };
  // The CSR's signature and key are checked; subject and names come from the request only.
  Issued issue(const IssueRequest& request) const;

  struct Revoked {
    std::string serial_hex;
    long long time = 0;
    std::string reason;  // RFC 5280 name, e.g. "keyCompromise"
  };
  // A v2 CRL with CRL number and next update, DER-encoded.
  std::string crl(const std::vector<Revoked>& revoked, long long number,
                  long long next_update) const;

 private:
  Authority(std::unique_ptr<EVP_PKEY, Freer> key, std::unique_ptr<X509, Freer> certificate)
      : key_(std::move(key)), certificate_(std::move(certificate)) {}
  std::unique_ptr<EVP_PKEY, Freer> key_;
  std::unique_ptr<X509, Freer> certificate_;
};

}  // namespace tessera::ca
