#include "certsrv.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

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

// The pages are read by plain scans, never by std::regex: its recursive matcher overflows the
// stack on a long run of digits, and a CA's page is whatever the CA (or whoever sits in between)
// sends.
size_t find_icase(const std::string& text, std::string_view phrase, size_t from = 0) {
  if (from > text.size()) return std::string::npos;
  const auto same = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  };
  const auto at = std::search(text.begin() + static_cast<std::ptrdiff_t>(from), text.end(),
                              phrase.begin(), phrase.end(), same);
  return at == text.end() ? std::string::npos : static_cast<size_t>(at - text.begin());
}

// AD CS request ids are 32-bit numbers: at most 10 digits.
constexpr size_t kMaxRequestIdDigits = 10;

// The request id that follows phrase somewhere in text: the first occurrence followed by 1 to 10
// digits (and no 11th).
std::optional<std::string> request_id_after(const std::string& text, std::string_view phrase,
                                            bool ignore_case) {
  for (size_t at = 0;; ++at) {
    at = ignore_case ? find_icase(text, phrase, at) : text.find(phrase, at);
    if (at == std::string::npos) return std::nullopt;
    const size_t start = at + phrase.size();
    size_t end = start;
    while (end < text.size() && end - start <= kMaxRequestIdDigits &&
           std::isdigit(static_cast<unsigned char>(text[end])))
      ++end;
    if (end > start && end - start <= kMaxRequestIdDigits) return text.substr(start, end - start);
  }
}

// "The disposition message is "Denied by Policy Module"." (at most 512 characters quoted).
std::string disposition_message(const std::string& text) {
  static constexpr std::string_view phrase = "disposition message is \"";
  for (size_t at = 0;; ++at) {
    at = find_icase(text, phrase, at);
    if (at == std::string::npos) return {};
    const size_t start = at + phrase.size();
    const size_t close = text.find('"', start);
    if (close != std::string::npos && close - start <= 512)
      return text.substr(start, close - start);
  }
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
  const auto text = plain(page);
  if (auto id =
          status == 200 ? request_id_after(page, "certnew.cer?ReqID=", false) : std::nullopt) {
    d.state = Disposition::State::issued;
    d.request_id = std::move(*id);
    return d;
  }
  if (auto id =
          status == 200 ? request_id_after(text, "Your Request Id is ", true) : std::nullopt) {
    d.state = Disposition::State::pending;
    d.request_id = std::move(*id);
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
  if (find_icase(text, "still pending") != std::string::npos ||
      find_icase(text, "taken under submission") != std::string::npos) {
    d.state = Disposition::State::pending;
    return d;
  }
  throw Error::unavailable(
      "the Web Enrollment answer for request " + request_id + " (HTTP " + std::to_string(status) +
      ") is not understood: no certificate, no disposition message, but '" + excerpt(body) + "'");
}

}  // namespace tessera::msca
