// MS-WSTEP (the Certificate Enrollment Web Service, CES): WS-Trust 1.3 over SOAP 1.2. A new
// request is a RequestSecurityToken of RequestType Issue with the PKCS#10 as a
// BinarySecurityToken and the template as a CertificateTemplate context item; a pending one is
// asked after with RequestType QueryTokenStatus and its RequestID. The answer is a
// RequestSecurityTokenResponseCollection (issued: a RequestedSecurityToken, and the chain as
// PKCS#7; pending: a RequestID without a token) or a SOAP fault (denied, with the CA's
// disposition message and error code in CertificateEnrollmentWSDetail).
#pragma once

#include <optional>
#include <string>

#include "disposition.hpp"
#include "soap.hpp"

namespace tessera::msca {

// csr_der: the PKCS#10 in DER. to: the endpoint's URL (WS-Addressing To).
std::string wstep_issue(const std::string& to, const std::string& csr_der,
                        const std::string& template_name,
                        const std::optional<UsernameToken>& credentials);
std::string wstep_query(const std::string& to, const std::string& request_id,
                        const std::optional<UsernameToken>& credentials);

// An HTTP answer of CES. Throws sdk::Error::unavailable for what is no WSTEP answer, naming
// what was found instead.
Disposition wstep_disposition(int status, const std::string& body);

}  // namespace tessera::msca
