#include "wstep.hpp"

#include <charconv>
#include <cstdint>
#include <memory>
#include <mutex>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <tessera/sdk/error.hpp>

#include "page_text.hpp"
#include "pkcs7.hpp"
#include "soap.hpp"

namespace tessera::msca {
namespace {

using sdk::Error;

constexpr const char* kSoap = kSoapNs;
constexpr const char* kTrust = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
constexpr const char* kSecurity = kSecurityNs;
constexpr const char* kEnrollment = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment";
constexpr const char* kAuthorization = "http://schemas.xmlsoap.org/ws/2006/12/authorization";
constexpr const char* kX509v3 =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
constexpr const char* kBase64 =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd#"
    "base64binary";

// A RequestSecurityToken with request inside, after its TokenType.
std::string envelope(const std::string& to, const std::string& request,
                     const std::optional<UsernameToken>& credentials) {
  return soap_envelope(std::string(kEnrollment) + "/RST/wstep", to, credentials,
                       std::string("<RequestSecurityToken PreferredLanguage=\"en-US\" xmlns=\"") +
                           kTrust + "\"><TokenType>" + kX509v3 + "</TokenType>" + request +
                           "</RequestSecurityToken>");
}

}  // namespace

std::string wstep_issue(const std::string& to, const std::string& request_der, RequestFormat format,
                        const std::string& template_name,
                        const std::optional<UsernameToken>& credentials) {
  return envelope(to,
                  std::string("<RequestType>") + kTrust +
                      "/Issue</RequestType><BinarySecurityToken ValueType=\"" + kEnrollment +
                      (format == RequestFormat::cmc ? "#PKCS7" : "#PKCS10") + "\" EncodingType=\"" +
                      kBase64 + "\" xmlns=\"" + kSecurity + "\">" + encode_base64(request_der) +
                      "</BinarySecurityToken><AdditionalContext xmlns=\"" + kAuthorization +
                      "\"><ContextItem Name=\"CertificateTemplate\"><Value>" +
                      xml_escaped(template_name) + "</Value></ContextItem></AdditionalContext>",
                  credentials);
}

std::string wstep_query(const std::string& to, const std::string& request_id,
                        const std::optional<UsernameToken>& credentials) {
  return envelope(to,
                  std::string("<RequestType>") + kEnrollment +
                      "/QueryTokenStatus</RequestType><RequestID xmlns=\"" + kEnrollment + "\">" +
                      xml_escaped(request_id) + "</RequestID>",
                  credentials);
}

bool is_ca_denial(const std::string& error_code) {
  int64_t code = 0;
  const auto* end = error_code.data() + error_code.size();
  if (error_code.empty() || error_code.size() > 20 ||
      std::from_chars(error_code.data(), end, code).ptr != end)
    return false;
  const auto hresult = static_cast<uint32_t>(code);
  return hresult == 0x80094011 || hresult == 0x80094012 || hresult == 0x80094014 ||
         (hresult & 0xFFFFFF00) == 0x80094800;
}

Disposition wstep_disposition(int status, const std::string& body) {
  if (status == 401)
    throw LoginRefused("the enrollment web service refused the login (HTTP 401): " + excerpt(body));
  XmlDoc doc;
  try {
    doc = parse_soap(body, status, "the enrollment web service");
  } catch (const Error&) {
    // A 403 without SOAP is the web server's refusal of this request (IIS, or a service that
    // will not take the template), in its own words.
    if (status == 403)
      throw Error::invalid_argument("the enrollment web service refused the request (HTTP 403): " +
                                    excerpt(body));
    throw;
  }
  std::unique_ptr<xmlXPathContext, XmlFree> context(xmlXPathNewContext(doc.get()));
  for (const auto& [prefix, uri] :
       {std::pair{"s", kSoap}, {"t", kTrust}, {"o", kSecurity}, {"e", kEnrollment}})
    xmlXPathRegisterNs(context.get(), reinterpret_cast<const xmlChar*>(prefix),
                       reinterpret_cast<const xmlChar*>(uri));
  Disposition d;
  if (xpath_exists(context.get(), "/s:Envelope/s:Body/s:Fault")) {
    auto reason = text_at(context.get(), "/s:Envelope/s:Body/s:Fault/s:Reason/s:Text");
    if (reason.size() > 512) reason = reason.substr(0, 512) + "...";
    // WS-Security's faults (a refused UsernameToken) are the login's, not the request's.
    const auto subcode =
        text_at(context.get(), "/s:Envelope/s:Body/s:Fault/s:Code/s:Subcode/s:Value");
    if (subcode.ends_with(":FailedAuthentication") || subcode.ends_with(":InvalidSecurity") ||
        subcode.ends_with(":InvalidSecurityToken"))
      throw LoginRefused("the enrollment web service refused the login: " + reason);
    // The CA's decision comes with CertificateEnrollmentWSDetail: InvalidRequest false, or a
    // denial code whatever InvalidRequest says (services differ there). Any other fault (the
    // service's own trouble) decides nothing.
    if (!xpath_exists(context.get(), "//e:CertificateEnrollmentWSDetail"))
      throw Error::unavailable("the enrollment web service failed without a decision: " +
                               (reason.empty() ? std::string("a SOAP fault") : reason));
    const auto code = text_at(context.get(), "//e:CertificateEnrollmentWSDetail/e:ErrorCode");
    const auto with_code = [&](std::string message) {
      if (message.empty()) message = "a SOAP fault without a reason";
      if (!code.empty()) message += " (error " + code.substr(0, 20) + ")";
      return message;
    };
    const bool invalid_request =
        text_at(context.get(), "//e:CertificateEnrollmentWSDetail/e:InvalidRequest") == "true";
    if (invalid_request && !is_ca_denial(code))
      throw Error::invalid_argument("the enrollment web service refused the request: " +
                                    with_code(reason));
    d.state = Disposition::State::denied;
    d.request_id = text_at(context.get(), "//e:CertificateEnrollmentWSDetail/e:RequestID");
    d.message = with_code(reason);
    return d;
  }
  const char* response =
      "/s:Envelope/s:Body/t:RequestSecurityTokenResponseCollection/"
      "t:RequestSecurityTokenResponse";
  if (!xpath_exists(context.get(), response))
    throw Error::unavailable(
        "the enrollment web service's answer has no RequestSecurityTokenResponse: '" +
        start_of(body) + "'");
  const std::string r(response);
  d.request_id = text_at(context.get(), (r + "/e:RequestID").c_str());
  d.message = text_at(context.get(), (r + "/e:DispositionMessage").c_str());
  const auto leaf =
      text_at(context.get(), (r + "/t:RequestedSecurityToken/o:BinarySecurityToken").c_str());
  if (leaf.empty()) {
    if (d.request_id.empty())
      throw Error::unavailable(
          "the enrollment web service's answer has neither a certificate nor a RequestID");
    d.state = Disposition::State::pending;
    return d;
  }
  d.state = Disposition::State::issued;
  // The issued certificate is the RequestedSecurityToken's; the PKCS#7 beside it gives its
  // issuers. One that does not parse loses only the chain, never the certificate.
  const auto der = decode_base64(leaf, "the issued certificate");
  std::string b64 = encode_base64(der), pem = "-----BEGIN CERTIFICATE-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  d.chain_pem = pem + "-----END CERTIFICATE-----\n";
  if (const auto chain = text_at(context.get(), (r + "/o:BinarySecurityToken").c_str());
      !chain.empty()) {
    try {
      d.chain_pem += certificates_of_pkcs7(decode_base64(chain, "the PKCS#7 chain"), der);
    } catch (const Error&) {
    }
  }
  return d;
}

}  // namespace tessera::msca
