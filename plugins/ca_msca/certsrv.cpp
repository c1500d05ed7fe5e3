#include "certsrv.hpp"

#include <cctype>
#include <regex>

#include <tessera/sdk/error.hpp>

namespace tessera::msca {
namespace {

using sdk::Error;

std::string form_encoded(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// A page's text without tags and entities, spaces folded, for messages and phrase search.
std::string plain(const std::string& page) {
  std::string out;
  bool in_tag = false;
  for (char c : page) {
    if (c == '<')
      in_tag = true;
    else if (c == '>') {
      in_tag = false;
      c = ' ';
    }
    if (in_tag) continue;
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  // Entities in one pass (the page may be large).
  std::string decoded;
  decoded.reserve(out.size());
  for (size_t i = 0; i < out.size(); ++i) {
    bool replaced = false;
    if (out[i] == '&')
      for (const auto& [entity, ch] : {std::pair{"&quot;", '"'},
                                       {"&amp;", '&'},
                                       {"&#39;", '\''},
                                       {"&lt;", '<'},
                                       {"&gt;", '>'},
                                       {"&nbsp;", ' '}})
        if (out.compare(i, std::char_traits<char>::length(entity), entity) == 0) {
          decoded += ch;
          i += std::char_traits<char>::length(entity) - 1;
          replaced = true;
          break;
        }
    if (!replaced) decoded += out[i];
  }
  return decoded;
}

std::string excerpt(const std::string& page) {
  auto text = plain(page);
  return text.size() > 160 ? text.substr(0, 160) + "..." : text;
}

// "The disposition message is "Denied by Policy Module"."
std::string disposition_message(const std::string& text) {
  std::smatch m;
  static const std::regex pattern(R"re(disposition message is "([^"]{0,512})")re",
                                  std::regex::icase);
  return std::regex_search(text, m, pattern) ? m[1].str() : std::string();
}

void check_status(int status) {
  if (status == 401 || status == 403)
    throw Error::invalid_argument("the Web Enrollment pages refused the login (HTTP " +
                                  std::to_string(status) + ")");
  if (status == 404)
    throw Error::invalid_argument(
        "no Web Enrollment pages at this URL (HTTP 404): give the "
        "server's /certsrv address");
}

}  // namespace

std::string certsrv_form(const std::string& csr_pem, const std::string& template_name) {
  return "Mode=newreq&CertRequest=" + form_encoded(csr_pem) +
         "&CertAttrib=" + form_encoded("CertificateTemplate:" + template_name) +
         "&TargetStoreFlags=0&SaveCert=yes&ThumbPrint=";
}

Disposition certsrv_submitted(int status, const std::string& page) {
  check_status(status);
  Disposition d;
  std::smatch m;
  static const std::regex issued(R"re(certnew\.cer\?ReqID=([0-9]+))re");
  static const std::regex pending(R"re(Your Request Id is ([0-9]+))re", std::regex::icase);
  const auto text = plain(page);
  if (status == 200 && std::regex_search(page, m, issued)) {
    d.state = Disposition::State::issued;
    d.request_id = m[1].str();
    return d;
  }
  if (status == 200 && std::regex_search(text, m, pending)) {
    d.state = Disposition::State::pending;
    d.request_id = m[1].str();
    d.message = "taken under submission";
    return d;
  }
  if (const auto message = disposition_message(text); !message.empty()) {
    d.state = Disposition::State::denied;
    d.message = message;
    return d;
  }
  throw Error::unavailable("the Web Enrollment page (HTTP " + std::to_string(status) +
                           ") is not understood: neither a certnew.cer link, a request id nor a "
                           "disposition message, but '" +
                           excerpt(page) + "'");
}

Disposition certsrv_retrieved(int status, const std::string& body, const std::string& request_id) {
  check_status(status);
  Disposition d;
  d.request_id = request_id;
  if (status == 200 && body.find("-----BEGIN CERTIFICATE-----") != std::string::npos) {
    d.state = Disposition::State::issued;
    d.chain_pem = body;
    return d;
  }
  const auto text = plain(body);
  if (const auto message = disposition_message(text); !message.empty()) {
    d.state = Disposition::State::denied;
    d.message = message;
    return d;
  }
  static const std::regex pending(R"re(still pending|taken under submission)re", std::regex::icase);
  if (std::regex_search(text, pending)) {
    d.state = Disposition::State::pending;
    return d;
  }
  throw Error::unavailable(
      "the Web Enrollment answer for request " + request_id + " (HTTP " + std::to_string(status) +
      ") is not understood: no certificate, no disposition message, but '" + excerpt(body) + "'");
}

}  // namespace tessera::msca
