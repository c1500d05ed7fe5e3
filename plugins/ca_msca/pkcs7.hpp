// The certificates of a PKCS#7 (degenerate SignedData, as AD CS sends chains), in PEM with the
// issued certificate first.
#pragma once

#include <string>

namespace tessera::msca {

// der: the PKCS#7 in DER. The first certificate is the one no other certificate of the set was
// issued by and that is not a CA; its issuers follow, nearest first. Throws
// sdk::Error::unavailable for anything that is no PKCS#7 with certificates.
std::string chain_of_pkcs7(const std::string& der);
// Every certificate of it in PEM, as they come (a CA's own chain), but the one whose DER is
// except.
std::string certificates_of_pkcs7(const std::string& der, const std::string& except = "");

// Base64 (line breaks and PEM armour allowed) to bytes; throws sdk::Error::unavailable.
std::string decode_base64(const std::string& text, const char* what);
std::string encode_base64(const std::string& bytes);

}  // namespace tessera::msca
