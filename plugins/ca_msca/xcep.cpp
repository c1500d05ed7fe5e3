#include "xcep.hpp"

#include <memory>
#include <mutex>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <tessera/sdk/error.hpp>

#include "disposition.hpp"
#include "page_text.hpp"
#include "soap.hpp"

namespace tessera::msca {
namespace {

using sdk::Error;

constexpr const char* kPolicy = "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy";

}  // namespace

std::string xcep_get_policies(const std::string& to,
                              const std::optional<UsernameToken>& credentials) {
  return soap_envelope(std::string(kPolicy) + "/IPolicy/GetPolicies", to, credentials,
                       std::string("<GetPolicies xmlns=\"") + kPolicy +
                           "\" xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"><client>"
                           "<lastUpdate i:nil=\"true\"/><preferredLanguage i:nil=\"true\"/>"
                           "</client><requestFilter i:nil=\"true\"/></GetPolicies>");
}

std::vector<std::string> xcep_templates(int status, const std::string& body) {
  if (status == 401 || status == 403)
    throw LoginRefused("the enrollment policy service refused the login (HTTP " +
                       std::to_string(status) + "): " + excerpt(body));
  const auto doc = parse_soap(body, status, "the enrollment policy service");
  std::unique_ptr<xmlXPathContext, XmlFree> context(xmlXPathNewContext(doc.get()));
  xmlXPathRegisterNs(context.get(), reinterpret_cast<const xmlChar*>("s"),
                     reinterpret_cast<const xmlChar*>(kSoapNs));
  xmlXPathRegisterNs(context.get(), reinterpret_cast<const xmlChar*>("p"),
                     reinterpret_cast<const xmlChar*>(kPolicy));
  const char* names =
      "/s:Envelope/s:Body/p:GetPoliciesResponse/p:response/p:policies/p:policy/p:attributes/"
      "p:commonName";
  // WS-Security's faults (a refused UsernameToken) are the login's.
  const auto subcode =
      text_at(context.get(), "/s:Envelope/s:Body/s:Fault/s:Code/s:Subcode/s:Value");
  if (subcode.ends_with(":FailedAuthentication") || subcode.ends_with(":InvalidSecurity") ||
      subcode.ends_with(":InvalidSecurityToken"))
    throw LoginRefused(
        "the enrollment policy service refused the login: " +
        excerpt(text_at(context.get(), "/s:Envelope/s:Body/s:Fault/s:Reason/s:Text")));
  if (!xpath_exists(context.get(), "/s:Envelope/s:Body/p:GetPoliciesResponse"))
    throw Error::unavailable(
        "the enrollment policy service's answer has no GetPoliciesResponse: '" + start_of(body) +
        "'");
  return texts_at(context.get(), names);
}

}  // namespace tessera::msca
