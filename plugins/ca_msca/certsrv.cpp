#include "certsrv.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include <tessera/sdk/error.hpp>

#include "page_text.hpp"

namespace tessera::msca {
namespace {

using sdk::Error;

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

void check_status(int status, const std::string& page) {
  if (status == 401 || status == 403)
    throw LoginRefused("the Web Enrollment pages refused the login (HTTP " +
                       std::to_string(status) + "): " + excerpt(page));
  // Not the request's fault: the pages moved, or the URL was changed since the connector was
  // saved (which checks it); a pending request is asked about again.
  if (status == 404)
    throw Error::unavailable(
        "no Web Enrollment pages at this URL (HTTP 404): give the "
        "server's /certsrv address");
}

}  // namespace

std::string certsrv_form(const std::string& csr_pem, const std::string& template_name) {
  return "Mode=newreq&CertRequest=" + percent_encoded(csr_pem) +
         "&CertAttrib=" + percent_encoded("CertificateTemplate:" + template_name) +
         "&TargetStoreFlags=0&SaveCert=yes&ThumbPrint=";
}

Disposition certsrv_submitted(int status, const std::string& page) {
  check_status(status, page);
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
  check_status(status, body);
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
