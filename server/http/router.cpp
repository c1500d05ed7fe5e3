// Route matching, parameter parsing and the translation of errors into the JSON envelope.
#include "server/http/router.hpp"

#include <cctype>

#include <algorithm>

#include <spdlog/spdlog.h>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/util/utf8.hpp"

namespace tessera::http {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) segments.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

std::string media_type(std::string_view content_type) {
  std::string type(content_type.substr(0, content_type.find(';')));
  type.erase(type.find_last_not_of(" \t") + 1);
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return type;
}

// %XX escapes only: a '+' in base64 stays a '+'.
std::string percent_decoded(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// WHATWG application/x-www-form-urlencoded, as browsers and curl send it: any byte may appear
// raw (a profile template's "{user}"), '+' is a space, and a '%' without two hex digits stays.
void add_form_params(std::string_view encoded, boost::json::object& params) {
  const auto decoded = [](std::string_view text) {
    std::string spaced(text);
    std::replace(spaced.begin(), spaced.end(), '+', ' ');
    return percent_decoded(spaced);
  };
  while (!encoded.empty()) {
    const auto end = std::min(encoded.find('&'), encoded.size());
    const auto pair = encoded.substr(0, end);
    encoded.remove_prefix(std::min(end + 1, encoded.size()));
    if (pair.empty()) continue;
    const auto equals = std::min(pair.find('='), pair.size());
    const auto value = equals < pair.size() ? pair.substr(equals + 1) : std::string_view();
    auto name = decoded(pair.substr(0, equals));
    auto text = decoded(value);
    // Refused, not repaired: a name that is not text cannot be meant, and nothing is changed.
    if (!util::is_valid_utf8(name) || !util::is_valid_utf8(text))
      throw api::ApiError::bad_parameter("parameter '" + util::printable_utf8(name, 64) +
                                         "' is not valid UTF-8");
    params[std::move(name)] = std::move(text);
  }
}

// The boundary parameter of a multipart Content-Type (RFC 2046: 1 to 70 characters, maybe
// quoted), or "" when there is none.
std::string multipart_boundary(std::string_view content_type) {
  std::string lower(content_type);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  const auto at = lower.find("boundary=");
  if (at == std::string::npos) return {};
  auto value = content_type.substr(at + 9);
  value = value.substr(0, value.find(';'));
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
    value = value.substr(1, value.size() - 2);
  return value.empty() || value.size() > 70 ? std::string() : std::string(value);
}

// The name="..." of a part's Content-Disposition header, or nullopt.
std::optional<std::string> part_name(std::string_view headers) {
  std::string lower(headers);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  const auto disposition = lower.find("content-disposition:");
  if (disposition == std::string::npos) return std::nullopt;
  const auto line_end = std::min(lower.find("\r\n", disposition), lower.size());
  // "name=" not preceded by a letter ("filename=" is another parameter).
  for (auto at = lower.find("name=\"", disposition); at < line_end;
       at = lower.find("name=\"", at + 1)) {
    if (at > 0 && std::isalpha(static_cast<unsigned char>(lower[at - 1]))) continue;
    const auto start = at + 6;
    const auto end = headers.find('"', start);
    if (end == std::string_view::npos || end > line_end) return std::nullopt;
    return std::string(headers.substr(start, end - start));
  }
  return std::nullopt;
}

// multipart/form-data (RFC 7578), as PHP clients and file uploads send it: each part's value,
// file contents included, becomes a string parameter. One pass over the body, no recursion;
// at most 256 parts.
void add_multipart_params(std::string_view body, const std::string& boundary,
                          boost::json::object& params) {
  const auto malformed = [](const std::string& why) {
    return api::ApiError::bad_parameter("the multipart/form-data body is malformed: " + why);
  };
  if (boundary.empty()) throw malformed("the Content-Type has no boundary");
  const std::string delimiter = "--" + boundary;
  if (!body.starts_with(delimiter)) throw malformed("it does not start with its boundary");
  size_t at = delimiter.size();
  for (int parts = 0;; ++parts) {
    if (body.substr(at).starts_with("--")) return;  // the closing delimiter
    if (parts == 256) throw malformed("it has more than 256 parts");
    if (!body.substr(at).starts_with("\r\n")) throw malformed("a boundary is not followed by CRLF");
    at += 2;
    const auto headers_end = body.find("\r\n\r\n", at);
    if (headers_end == std::string_view::npos || headers_end - at > 8192)
      throw malformed("a part's headers do not end");
    const auto headers = body.substr(at, headers_end - at);
    const auto value_start = headers_end + 4;
    const auto next = body.find("\r\n" + delimiter, value_start);
    if (next == std::string_view::npos) throw malformed("a part does not end with the boundary");
    auto name = part_name(headers);
    if (!name) throw malformed("a part has no Content-Disposition name");
    std::string value(body.substr(value_start, next - value_start));
    if (!util::is_valid_utf8(*name) || !util::is_valid_utf8(value))
      throw api::ApiError::bad_parameter("parameter '" + util::printable_utf8(*name, 64) +
                                         "' is not valid UTF-8");
    params[*name] = std::move(value);
    at = next + 2 + delimiter.size();
  }
}

}  // namespace

boost::json::object parse_params(const HttpRequest& request, std::string_view query) {
  boost::json::object params;
  add_form_params(query, params);
  if (request.body.empty()) return params;

  const auto type = media_type(request.header("content-type"));
  if (type == "application/json") {
    boost::system::error_code ec;
    auto value = boost::json::parse(request.body, ec);
    if (ec)
      throw api::ApiError::bad_parameter("the request body is not valid JSON: " + ec.message());
    if (!value.is_object())
      throw api::ApiError::bad_parameter("the JSON request body must be an object of parameters");
    for (auto& [key, v] : value.as_object()) params[key] = v;  // Boost.JSON checked UTF-8
  } else if (type == "application/x-www-form-urlencoded") {
    add_form_params(request.body, params);
  } else if (type == "multipart/form-data") {
    add_multipart_params(request.body, multipart_boundary(request.header("content-type")), params);
  } else {
    throw api::ApiError(415, api::error_code::unsupported_media_type,
                        "Content-Type '" + (type.empty() ? std::string("(none)") : type) +
                            "' is not accepted: send application/json or "
                            "application/x-www-form-urlencoded");
  }
  return params;
}

void Router::add(std::string method, std::string pattern, Handler handler, Access access) {
  auto segments = split_path(pattern);
  routes_.push_back(
      {std::move(method), std::move(pattern), std::move(segments), std::move(handler), access});
}

HttpResponse Router::handle(const HttpRequest& original) const noexcept {
  // The proxy's header replaces what TLS saw (nothing, behind the proxy); from anyone but a
  // trusted proxy it is ignored, so a client cannot claim a certificate by sending it.
  std::optional<HttpRequest> adjusted;
  if (!certificate_header_.empty() && !original.header(certificate_header_).empty() &&
      trusted_proxy_ && trusted_proxy_(original.remote_address)) {
    adjusted = original;
    adjusted->client_certificate_pem = percent_decoded(original.header(certificate_header_));
  }
  const HttpRequest& request = adjusted ? *adjusted : original;
  const auto started = std::chrono::steady_clock::now();
  const auto scope = request_scope_ ? request_scope_() : nullptr;
  std::optional<RequestContext> context;
  auto response = dispatch(request, context);
  if (observer_) {
    try {
      observer_(request, context ? &*context : nullptr, response,
                std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - started));
    } catch (const std::exception& e) {
      spdlog::error("request observer failed: {}", e.what());
    }
  }
  return response;
}

HttpResponse Router::dispatch(const HttpRequest& request,
                              std::optional<RequestContext>& context) const {
  const Route* matched = nullptr;
  std::string allowed;
  try {
    // The path follows RFC 3986; the query is read as browsers send it (raw braces, spaces).
    const std::string_view whole(request.target);
    const auto question = std::min(whole.find('?'), whole.size());
    const auto query = whole.substr(std::min(question + 1, whole.size()));
    auto target = boost::urls::parse_origin_form(whole.substr(0, question));
    if (!target)
      throw api::ApiError(400, api::error_code::malformed_request,
                          "the request target is not a valid path");
    std::string path = target->path();
    if (!util::is_valid_utf8(path))
      throw api::ApiError(400, api::error_code::malformed_request,
                          "the request path is not valid UTF-8");
    const auto segments = split_path(path);

    std::map<std::string, std::string> path_params;
    for (const auto& route : routes_) {
      if (route.segments.size() != segments.size()) continue;
      std::map<std::string, std::string> captured;
      bool match = true;
      for (size_t i = 0; i < segments.size() && match; ++i) {
        const auto& s = route.segments[i];
        if (s.size() > 2 && s.front() == '<' && s.back() == '>')
          captured[s.substr(1, s.size() - 2)] = segments[i];
        else
          match = s == segments[i];
      }
      if (!match) continue;
      if (route.method != request.method) {
        allowed += (allowed.empty() ? "" : ", ") + route.method;
        continue;
      }
      matched = &route;
      path_params = std::move(captured);
      break;
    }
    if (!matched && !allowed.empty()) {
      auto response = api::json_error(405, api::error_code::method_not_allowed,
                                      "method " + request.method + " is not allowed on " + path +
                                          " (allowed: " + allowed + ")");
      response.headers.emplace_back("Allow", allowed);
      return response;
    }
    if (!matched) throw api::ApiError::not_found("no API endpoint at " + path);

    context.emplace(RequestContext{request, path, {}, std::move(path_params), std::nullopt, {}});
    if (matched->access == Access::authenticated) {
      if (!authenticator_) throw std::logic_error("no authenticator for an authenticated route");
      context->identity = authenticator_(request);
    }
    context->params = parse_params(request, query);
    if (context->identity && guard_) guard_(*context);
    if (before_handler_) before_handler_(*context, matched->pattern);
    auto response = matched->handler(*context);
    response.route = matched->pattern;
    return response;
  } catch (const api::ApiError& e) {
    auto response = api::json_error(e.http_status(), e.code(), e.what());
    if (matched) response.route = matched->pattern;
    return response;
  } catch (const std::exception& e) {
    spdlog::error("internal error on {} {}: {}", request.method,
                  matched ? matched->pattern : std::string("(unmatched)"), e.what());
    auto response = api::json_error(500, api::error_code::internal,
                                    "internal server error; the server log has the details");
    if (matched) response.route = matched->pattern;
    return response;
  }
}

}  // namespace tessera::http
