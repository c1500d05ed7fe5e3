// The PKCS#12 file a user downloads with a key the server made: the key, its certificate and
// the CA, protected by the user's password with PBKDF2 and AES-256 (OpenSSL 3's PBES2), MAC
// over SHA-256. Built in memory for the one response; never stored.
#pragma once

#include <string>

namespace tessera::crypto {

// DER bytes. Throws std::invalid_argument for PEM that does not parse or a key that does not
// belong to the certificate.
std::string make_pkcs12(const std::string& key_pem, const std::string& certificate_pem,
                        const std::string& ca_pem, const std::string& password,
                        const std::string& friendly_name);

}  // namespace tessera::crypto
