#include "wstep.hpp"

#include <memory>
#include <mutex>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <openssl/rand.h>

#include <tessera/sdk/error.hpp>

#include "pkcs7.hpp"

namespace tessera::msca {
namespace {

using sdk::Error;

constexpr const char* kSoap = "http://www.w3.org/2003/05/soap-envelope";
constexpr const char* kAddressing = "http://www.w3.org/2005/08/addressing";
constexpr const char* kTrust = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
constexpr const char* kSecurity =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
constexpr const char* kEnrollment = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment";
constexpr const char* kAuthorization = "http://schemas.xmlsoap.org/ws/2006/12/authorization";
constexpr const char* kX509v3 =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
constexpr const char* kBase64 =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd#"
    "base64binary";

std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text) switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  return out;
}

std::string message_id() {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof(bytes));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  static const char* hex = "0123456789abcdef";
  std::string id = "urn:uuid:";
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
    id += hex[bytes[i] >> 4];
    id += hex[bytes[i] & 15];
  }
  return id;
}

std::string envelope(const std::string& to, const std::string& request,
                     const std::optional<UsernameToken>& credentials) {
  std::string security;
  if (credentials)
    security = std::string("<o:Security s:mustUnderstand=\"1\" xmlns:o=\"") + kSecurity +
               "\"><o:UsernameToken><o:Username>" + escaped(credentials->username) +
               "</o:Username><o:Password Type=\"http://docs.oasis-open.org/wss/2004/01/"
               "oasis-200401-wss-username-token-profile-1.0#PasswordText\">" +
               escaped(credentials->password) + "</o:Password></o:UsernameToken></o:Security>";
  return std::string("<s:Envelope xmlns:s=\"") + kSoap + "\" xmlns:a=\"" + kAddressing +
         "\"><s:Header><a:Action s:mustUnderstand=\"1\">" + kEnrollment +
         "/RST/wstep</a:Action><a:MessageID>" + message_id() +
         "</a:MessageID><a:To s:mustUnderstand=\"1\">" + escaped(to) + "</a:To>" + security +
         "</s:Header><s:Body><RequestSecurityToken PreferredLanguage=\"en-US\" xmlns=\"" + kTrust +
         "\"><TokenType>" + kX509v3 + "</TokenType>" + request +
         "</RequestSecurityToken></s:Body></s:Envelope>";
}

struct XmlFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
  void operator()(xmlXPathContext* c) const { xmlXPathFreeContext(c); }
  void operator()(xmlXPathObject* o) const { xmlXPathFreeObject(o); }
};

// The text of the first node at path ("" when there is none).
std::string text_at(xmlXPathContext* context, const char* path) {
  std::unique_ptr<xmlXPathObject, XmlFree> found(
      xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(path), context));
  if (!found || !found->nodesetval || found->nodesetval->nodeNr == 0) return {};
  xmlChar* content = xmlNodeGetContent(found->nodesetval->nodeTab[0]);
  std::string out(content ? reinterpret_cast<const char*>(content) : "");
  xmlFree(content);
  const auto begin = out.find_first_not_of(" \r\n\t");
  const auto end = out.find_last_not_of(" \r\n\t");
  return begin == std::string::npos ? std::string() : out.substr(begin, end - begin + 1);
}

bool exists(xmlXPathContext* context, const char* path) {
  std::unique_ptr<xmlXPathObject, XmlFree> found(
      xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(path), context));
  return found && found->nodesetval && found->nodesetval->nodeNr > 0;
}

std::string start_of(const std::string& body) {
  std::string out = body.substr(0, 80);
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}

}  // namespace

std::string wstep_issue(const std::string& to, const std::string& csr_der,
                        const std::string& template_name,
                        const std::optional<UsernameToken>& credentials) {
  return envelope(to,
                  std::string("<RequestType>") + kTrust +
                      "/Issue</RequestType><BinarySecurityToken ValueType=\"" + kEnrollment +
                      "#PKCS10\" EncodingType=\"" + kBase64 + "\" xmlns=\"" + kSecurity + "\">" +
                      encode_base64(csr_der) + "</BinarySecurityToken><AdditionalContext xmlns=\"" +
                      kAuthorization + "\"><ContextItem Name=\"CertificateTemplate\"><Value>" +
                      escaped(template_name) + "</Value></ContextItem></AdditionalContext>",
                  credentials);
}

std::string wstep_query(const std::string& to, const std::string& request_id,
                        const std::optional<UsernameToken>& credentials) {
  return envelope(to,
                  std::string("<RequestType>") + kEnrollment +
                      "/QueryTokenStatus</RequestType><RequestID xmlns=\"" + kEnrollment + "\">" +
                      escaped(request_id) + "</RequestID>",
                  credentials);
}

Disposition wstep_disposition(int status, const std::string& body) {
  if (status == 401 || status == 403)
    throw Error::invalid_argument("the enrollment web service refused the login (HTTP " +
                                  std::to_string(status) + ")");
  static std::once_flag initialised;  // libxml2 2.9 sets up its globals once, not per thread
  std::call_once(initialised, [] { xmlInitParser(); });
  std::unique_ptr<xmlDoc, XmlFree> doc(
      xmlReadMemory(body.data(), static_cast<int>(body.size()), "answer.xml", nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc)
    throw Error::unavailable("the enrollment web service answered HTTP " + std::to_string(status) +
                             " with no XML: '" + start_of(body) + "'");
  if (xmlGetIntSubset(doc.get()))
    throw Error::unavailable("the enrollment web service's answer has a DTD, which SOAP forbids");
  std::unique_ptr<xmlXPathContext, XmlFree> context(xmlXPathNewContext(doc.get()));
  for (const auto& [prefix, uri] :
       {std::pair{"s", kSoap}, {"t", kTrust}, {"o", kSecurity}, {"e", kEnrollment}})
    xmlXPathRegisterNs(context.get(), reinterpret_cast<const xmlChar*>(prefix),
                       reinterpret_cast<const xmlChar*>(uri));
  if (!exists(context.get(), "/s:Envelope/s:Body"))
    throw Error::unavailable("the enrollment web service's answer is no SOAP 1.2 envelope: '" +
                             start_of(body) + "'");
  Disposition d;
  if (exists(context.get(), "/s:Envelope/s:Body/s:Fault")) {
    const auto reason = text_at(context.get(), "/s:Envelope/s:Body/s:Fault/s:Reason/s:Text");
    // WS-Security's faults (a refused UsernameToken) are the login's, not the request's.
    const auto subcode =
        text_at(context.get(), "/s:Envelope/s:Body/s:Fault/s:Code/s:Subcode/s:Value");
    if (subcode.ends_with(":FailedAuthentication") || subcode.ends_with(":InvalidSecurity") ||
        subcode.ends_with(":InvalidSecurityToken"))
      throw Error::invalid_argument(
          "the enrollment web service refused the login: " +
          text_at(context.get(), "/s:Envelope/s:Body/s:Fault/s:Reason/s:Text"));
    // The CA's decision comes with CertificateEnrollmentWSDetail; any other fault (the
    // service's own trouble, or a request it could not read) decides nothing.
    if (!exists(context.get(), "//e:CertificateEnrollmentWSDetail") ||
        text_at(context.get(), "//e:CertificateEnrollmentWSDetail/e:InvalidRequest") == "true")
      throw Error::unavailable("the enrollment web service failed without a decision: " +
                               (reason.empty() ? std::string("a SOAP fault") : reason));
    d.state = Disposition::State::denied;
    d.request_id = text_at(context.get(), "//e:CertificateEnrollmentWSDetail/e:RequestID");
    d.message = text_at(context.get(), "/s:Envelope/s:Body/s:Fault/s:Reason/s:Text");
    const auto code = text_at(context.get(), "//e:CertificateEnrollmentWSDetail/e:ErrorCode");
    if (!code.empty()) d.message += " (error " + code + ")";
    if (d.message.empty()) d.message = "a SOAP fault without a reason";
    return d;
  }
  const char* response =
      "/s:Envelope/s:Body/t:RequestSecurityTokenResponseCollection/"
      "t:RequestSecurityTokenResponse";
  if (!exists(context.get(), response))
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
