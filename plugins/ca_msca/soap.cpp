#include "soap.hpp"

#include <mutex>

#include <libxml/parser.h>
#include <libxml/xpathInternals.h>
#include <openssl/rand.h>

#include <tessera/sdk/error.hpp>
#include <tessera/sdk/markup_escape.hpp>

namespace tessera::msca {
namespace {

constexpr const char* kAddressing = "http://www.w3.org/2005/08/addressing";

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

}  // namespace

// The five characters XML escapes are HTML's; &#39; is as good as &apos; in XML.
std::string xml_escaped(const std::string& text) {
  return tessera::sdk::html_escaped(text);
}

std::string soap_envelope(const std::string& action, const std::string& to,
                          const std::optional<UsernameToken>& credentials,
                          const std::string& body) {
  std::string security;
  if (credentials)
    security = std::string("<o:Security s:mustUnderstand=\"1\" xmlns:o=\"") + kSecurityNs +
               "\"><o:UsernameToken><o:Username>" + xml_escaped(credentials->username) +
               "</o:Username><o:Password Type=\"http://docs.oasis-open.org/wss/2004/01/"
               "oasis-200401-wss-username-token-profile-1.0#PasswordText\">" +
               xml_escaped(credentials->password) + "</o:Password></o:UsernameToken></o:Security>";
  return std::string("<s:Envelope xmlns:s=\"") + kSoapNs + "\" xmlns:a=\"" + kAddressing +
         "\"><s:Header><a:Action s:mustUnderstand=\"1\">" + xml_escaped(action) +
         "</a:Action><a:MessageID>" + message_id() + "</a:MessageID><a:To s:mustUnderstand=\"1\">" +
         xml_escaped(to) + "</a:To>" + security + "</s:Header><s:Body>" + body +
         "</s:Body></s:Envelope>";
}

void XmlFree::operator()(xmlDoc* d) const {
  xmlFreeDoc(d);
}
void XmlFree::operator()(xmlXPathContext* c) const {
  xmlXPathFreeContext(c);
}
void XmlFree::operator()(xmlXPathObject* o) const {
  xmlXPathFreeObject(o);
}

XmlDoc parse_soap(const std::string& body, int status, const std::string& service) {
  static std::once_flag initialised;  // libxml2 2.9 sets up its globals once, not per thread
  std::call_once(initialised, [] { xmlInitParser(); });
  XmlDoc doc(xmlReadMemory(body.data(), static_cast<int>(body.size()), "answer.xml", nullptr,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc)
    throw sdk::Error::unavailable(service + " answered HTTP " + std::to_string(status) +
                                  " with no XML: '" + start_of(body) + "'");
  if (xmlGetIntSubset(doc.get()))
    throw sdk::Error::unavailable(service + "'s answer has a DTD, which SOAP forbids");
  std::unique_ptr<xmlXPathContext, XmlFree> context(xmlXPathNewContext(doc.get()));
  xmlXPathRegisterNs(context.get(), reinterpret_cast<const xmlChar*>("s"),
                     reinterpret_cast<const xmlChar*>(kSoapNs));
  if (!xpath_exists(context.get(), "/s:Envelope/s:Body"))
    throw sdk::Error::unavailable(service + "'s answer is no SOAP 1.2 envelope: '" +
                                  start_of(body) + "'");
  return doc;
}

std::vector<std::string> texts_at(xmlXPathContext* context, const char* path) {
  std::vector<std::string> out;
  std::unique_ptr<xmlXPathObject, XmlFree> found(
      xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(path), context));
  if (!found || !found->nodesetval) return out;
  for (int i = 0; i < found->nodesetval->nodeNr; ++i) {
    xmlChar* content = xmlNodeGetContent(found->nodesetval->nodeTab[i]);
    std::string text(content ? reinterpret_cast<const char*>(content) : "");
    xmlFree(content);
    const auto begin = text.find_first_not_of(" \r\n\t");
    const auto end = text.find_last_not_of(" \r\n\t");
    if (begin != std::string::npos) out.push_back(text.substr(begin, end - begin + 1));
  }
  return out;
}

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

bool xpath_exists(xmlXPathContext* context, const char* path) {
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

}  // namespace tessera::msca
