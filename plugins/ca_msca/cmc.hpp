// How a request names its certificate template. AD CS and services built like it may read the
// template only from the request itself: from the certificate template extensions of a PKCS#10
// (1.3.6.1.4.1.311.20.2 the name, 1.3.6.1.4.1.311.21.7 the template information), as Windows'
// clients write them, or from a CMC request's RegInfo name-value pairs ("CertificateTemplate=").
// A user's own CSR has neither, and only its key could add one; so it goes inside a CMC Full
// PKI Request (RFC 5272) whose RegInfo names the template, null-signed (RFC 5272 3.2.2.1's
// No-Signature mechanism, which MS-WCCE 3.1.1.4.3.1.3 allows): the PKCS#10 inside keeps
// proving possession of the key.
#pragma once

#include <string>

namespace tessera::msca {

// Whether the PKCS#10 (DER) carries a template extension or a name-value pair attribute.
bool names_template(const std::string& csr_der);

// A CMC Full PKI Request (DER) with the PKCS#10 (DER) and RegInfo "CertificateTemplate=name".
std::string cmc_request(const std::string& csr_der, const std::string& template_name);

}  // namespace tessera::msca
