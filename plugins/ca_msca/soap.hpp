// What MS-WSTEP and MS-XCEP share: SOAP 1.2 envelopes with WS-Addressing (and a WS-Security
// UsernameToken when the endpoint wants one), and reading answers with libxml2 and XPath.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <libxml/tree.h>
#include <libxml/xpath.h>

namespace tessera::msca {

constexpr const char* kSoapNs = "http://www.w3.org/2003/05/soap-envelope";
constexpr const char* kSecurityNs =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";

// For CES's and CEP's UsernamePassword endpoints: a WS-Security UsernameToken in the header.
struct UsernameToken {
  std::string username, password;
};

std::string xml_escaped(const std::string& text);

// An envelope for action, to the endpoint's URL to, with body (XML) inside s:Body.
std::string soap_envelope(const std::string& action, const std::string& to,
                          const std::optional<UsernameToken>& credentials, const std::string& body);

struct XmlFree {
  void operator()(xmlDoc* d) const;
  void operator()(xmlXPathContext* c) const;
  void operator()(xmlXPathObject* o) const;
};
using XmlDoc = std::unique_ptr<xmlDoc, XmlFree>;

// An answer parsed as a SOAP 1.2 envelope with a Body (no DTD, no network); throws
// sdk::Error::unavailable naming what came instead. service: for the message.
XmlDoc parse_soap(const std::string& body, int status, const std::string& service);

// The trimmed text of the first node at path ("" when there is none), of every node, and
// whether there is one.
std::string text_at(xmlXPathContext* context, const char* path);
std::vector<std::string> texts_at(xmlXPathContext* context, const char* path);
bool xpath_exists(xmlXPathContext* context, const char* path);

// The start of an answer, for messages.
std::string start_of(const std::string& body);

}  // namespace tessera::msca
