#include "acme_client.hpp"

#include <tessera/sdk/error.hpp>

namespace tessera::acme {
namespace {

using sdk::Error;

constexpr int kNonceRetries = 5;
constexpr const char* kProblemPrefix = "urn:ietf:params:acme:error:";

std::string problem_type(const boost::json::object& problem) {
  const auto* type = problem.if_contains("type");
  if (!type || !type->is_string()) return "";
  std::string text(type->get_string());
  return text.starts_with(kProblemPrefix) ? text.substr(std::string(kProblemPrefix).size()) : text;
}

// "the ACME CA refused: <detail> (<type>)", with its subproblems' details.
std::string problem_text(const boost::json::object& problem, int status) {
  std::string detail;
  if (const auto* d = problem.if_contains("detail"); d && d->is_string()) detail = d->get_string();
  if (const auto* subs = problem.if_contains("subproblems"); subs && subs->is_array())
    for (const auto& sub : subs->get_array())
      if (sub.is_object())
        if (const auto* d = sub.get_object().if_contains("detail"); d && d->is_string())
          detail += "; " + std::string(d->get_string());
  const auto type = problem_type(problem);
  return (detail.empty() ? "HTTP " + std::to_string(status) : detail) +
         (type.empty() ? "" : " (" + type + ")");
}

}  // namespace

boost::json::object AcmeResponse::json() const {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  return !ec && value.is_object() ? value.get_object() : boost::json::object{};
}

sdk::HttpResponse AcmeClient::send(const std::string& method, const std::string& url,
                                   const std::string& body, const char* accept) {
  // The directory is https://; a URL the CA names later (an order's, a Location) may not
  // downgrade to plain HTTP, where anyone on the path reads and changes what is said.
  if (!url.starts_with("https://"))
    throw Error::unavailable("the ACME server named " + url.substr(0, 200) +
                             ", which is not an https:// URL: refused");
  sdk::HttpRequest request;
  request.method = method;
  request.url = url;
  request.body = body;
  request.timeout = timeout_;
  request.trusted_ca_pem = trusted_ca_pem_;
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/jose+json");
  if (accept) request.headers.emplace_back("Accept", accept);
  auto response = host_.http(request);
  if (auto nonce = response.header("Replay-Nonce"); !nonce.empty()) {
    std::lock_guard lock(mutex_);
    nonce_ = std::move(nonce);
  }
  return response;
}

const boost::json::object& AcmeClient::directory() {
  {
    std::lock_guard lock(mutex_);
    if (directory_) return *directory_;
  }
  if (!directory_url_.starts_with("https://"))
    throw Error::invalid_argument("directory_url must be an https:// URL");
  const auto response = send("GET", directory_url_, "", nullptr);
  boost::system::error_code ec;
  auto value = boost::json::parse(response.body, ec);
  if (response.status != 200 || ec || !value.is_object() ||
      !value.get_object().contains("newNonce") || !value.get_object().contains("newAccount") ||
      !value.get_object().contains("newOrder"))
    throw Error::invalid_argument(directory_url_ + " is not an ACME directory (HTTP " +
                                  std::to_string(response.status) + ")");
  std::lock_guard lock(mutex_);
  directory_ = value.get_object();
  return *directory_;
}

std::string AcmeClient::endpoint(const char* name) {
  const auto* url = directory().if_contains(name);
  if (!url || !url->is_string())
    throw Error::invalid_argument(std::string("the ACME directory has no ") + name);
  return std::string(url->get_string());
}

std::string AcmeClient::fresh_nonce() {
  {
    std::lock_guard lock(mutex_);
    if (!nonce_.empty()) return std::exchange(nonce_, {});
  }
  send("GET", endpoint("newNonce"), "", nullptr);
  std::lock_guard lock(mutex_);
  if (nonce_.empty()) throw Error::unavailable("the ACME CA gave no nonce");
  return std::exchange(nonce_, {});
}

AcmeResponse AcmeClient::post(const std::string& url, const std::string& payload,
                              const AccountKey& key, const std::string& kid, const char* accept) {
  for (int attempt = 1;; ++attempt) {
    boost::json::object header{{"nonce", fresh_nonce()}, {"url", url}};
    if (kid.empty())
      header["jwk"] = key.jwk();
    else
      header["kid"] = kid;
    const auto response = send(
        "POST", url, boost::json::serialize(sign_jws(key, std::move(header), payload)), accept);
    AcmeResponse out{response.status, response.body, response.header("Location"),
                     response.header("Content-Type"), 0};
    if (const auto after = response.header("Retry-After");
        !after.empty() && after.find_first_not_of("0123456789") == std::string::npos &&
        after.size() < 7)
      out.retry_after = std::stoll(after);
    if (response.status < 400) return out;
    const auto problem = out.json();
    const auto type = problem_type(problem);
    // A nonce the CA did not take (RFC 8555 section 6.5): the answer carries a fresh one.
    if (type == "badNonce" && attempt < kNonceRetries) continue;
    auto message = "the ACME CA refused: " + problem_text(problem, response.status);
    if (const auto after = response.header("Retry-After"); !after.empty())
      message += "; retry after " + after + (after.find(' ') == std::string::npos ? " s" : "");
    if (type == "rateLimited" || type == "serverInternal" || type == "badNonce" ||
        response.status >= 500)
      throw Error::unavailable(message);
    throw Error::invalid_argument(message);
  }
}

}  // namespace tessera::acme
