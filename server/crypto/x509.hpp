// Small questions about X.509 certificates in PEM, answered with OpenSSL: what they hold, and
// whether two keys are the same.
#pragma once

#include <string>
#include <vector>

#include "server/crypto/openssl_ptr.hpp"

namespace tessera::crypto {

// Every certificate in pem, in order; empty when there is none or one does not parse.
std::vector<X509Ptr> parse_certificates(const std::string& pem);
// The first certificate in pem, or nullptr.
X509Ptr parse_certificate(const std::string& pem);

std::string der_of(X509* certificate);
std::string pem_of(X509* certificate);
// The serial number in upper-case hex, as CAs and `openssl x509 -serial` print it.
std::string serial_hex(X509* certificate);
// "CN=alice,O=Example" (RFC 2253).
std::string subject_text(X509* certificate);
std::string issuer_text(X509* certificate);
// Unix seconds.
long long not_before(X509* certificate);
long long not_after(X509* certificate);
// The same public key (type, parameters and value).
bool same_public_key(EVP_PKEY* a, EVP_PKEY* b);

}  // namespace tessera::crypto
