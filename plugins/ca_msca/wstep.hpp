// MS-WSTEP (the Certificate Enrollment Web Service, CES): WS-Trust 1.3 over SOAP 1.2. A new
// request is a RequestSecurityToken of RequestType Issue with the PKCS#10 as a
// BinarySecurityToken and the template as a CertificateTemplate context item; a pending one is
// asked after with RequestType QueryTokenStatus and its RequestID. The answer is a
// RequestSecurityTokenResponseCollection (issued: a RequestedSecurityToken, and the chain as
// PKCS#7; pending: a RequestID without a token) or a SOAP fault (denied, with the CA's
// disposition message and error code in CertificateEnrollmentWSDetail). Services built like
// it (not AD CS) answer some of this differently; wstep_disposition takes what the protocols
// allow.
#pragma once

#include <optional>
#include <string>

#include "disposition.hpp"
#include "soap.hpp"

namespace tessera::msca {

// What goes to the CA: a PKCS#10, or a CMC request around one (cmc.hpp).
enum class RequestFormat { pkcs10, cmc };

// request_der: the request in DER. to: the endpoint's URL (WS-Addressing To). The template is
// named in AdditionalContext too (CertificateTemplate), which AD CS's CES reads.
std::string wstep_issue(const std::string& to, const std::string& request_der, RequestFormat format,
                        const std::string& template_name,
                        const std::optional<UsernameToken>& credentials);
std::string wstep_query(const std::string& to, const std::string& request_id,
                        const std::optional<UsernameToken>& credentials);

// An HTTP answer of CES. Throws LoginRefused for a refused login (HTTP 401, a WS-Security
// fault); sdk::Error::invalid_argument for a request the service refused without a decision of
// the CA (HTTP 403 without SOAP, a fault marked InvalidRequest whose code is not the CA's
// denial), with the service's own words; sdk::Error::unavailable for what is no WSTEP answer,
// naming what came instead. The CA's denials (InvalidRequest false, or a denial code) are
// Dispositions.
Disposition wstep_disposition(int status, const std::string& body);

// Whether a CertificateEnrollmentWSDetail ErrorCode (an HRESULT, as CES writes it: signed
// decimal) is the CA's decision to deny: CERTSRV_E_ENROLL_DENIED, _TEMPLATE_DENIED,
// _ADMIN_DENIED_REQUEST, and the policy module's template and subject checks (0x800948xx).
bool is_ca_denial(const std::string& error_code);

}  // namespace tessera::msca
