// The host's services as a plugin sees them: logging, randomness, clock, a per-object store
// with encryption at rest, and outbound HTTP. A thin C++ face over tessera_host_api_v1.
//
// Threading: every function may be called from any thread. Lifetime: a Host reference stays
// valid for as long as any component instance of the plugin lives.
#pragma once

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/abi/tessera_plugin_abi.h"
#include "tessera/sdk/error.hpp"

namespace tessera::sdk {

namespace detail {
inline tessera_str view(std::string_view s) {
  return {s.data(), s.size()};
}

// scheme://host[:port] of a URL: enough to say where a request went without repeating a path,
// query or user info that may carry a credential (webhook URLs often do).
inline std::string origin_of(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "(invalid URL)";
  auto origin = url.substr(0, url.find_first_of("/?#", scheme_end + 3));
  auto at = origin.find('@', scheme_end + 3);
  if (at != std::string::npos) origin.erase(scheme_end + 3, at - scheme_end - 2);
  return origin;
}

// A sink that appends into a std::string owned by the caller. The callback is called from the
// host's C code, so it never throws; running out of memory marks the result as failed.
struct StringSink {
  std::string text;
  bool failed = false;
  tessera_sink sink{this, [](void* context, const char* data, size_t size) noexcept {
                      auto* self = static_cast<StringSink*>(context);
                      try {
                        self->text.append(data, size);
                      } catch (...) {
                        self->failed = true;
                      }
                    }};
  StringSink() = default;
  StringSink(const StringSink&) = delete;
  StringSink& operator=(const StringSink&) = delete;
};
}  // namespace detail

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{0};  // 0: the host's default
  std::string trusted_ca_pem;  // CA certificates to trust instead of the system's (host 1.5+)
  // The login the host performs (host 1.6+; an older host is refused by http()): Basic or NTLM
  // with username and password, Negotiate (Kerberos) with the principal and its password or a
  // keytab path, and a TLS client certificate with its key (PEM) with any of them.
  enum class Auth { none, basic, negotiate, ntlm } auth = Auth::none;
  std::string username, password, keytab;
  std::string client_certificate_pem, client_key_pem;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  // The response's headers, in order (from a host of ABI 1.5 or later; empty before).
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header of that name (case-insensitive), or "".
  std::string header(std::string_view name) const {
    for (const auto& [key, value] : headers)
      if (key.size() == name.size() &&
          std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          }))
        return value;
    return {};
  }
};

// One RADIUS Access-Request, sent by the host to a server an admin defined (host 1.7+).
struct RadiusRequest {
  std::string server;  // the definition's name (POST /radiusserver/<name>)
  std::string user, password;
  std::string state;  // of the Access-Challenge this answers, or empty
};

struct RadiusReply {
  enum class Code { accept = 2, reject = 3, challenge = 11 } code = Code::reject;
  std::string message;  // Reply-Message
  std::string state;    // State, to send back with the answer to a challenge
};

class Host;

// Values that belong to one object (a token, a CA connector instance) of this plugin.
class ObjectStore {
 public:
  ObjectStore(const Host& host, std::string object) : host_(host), object_(std::move(object)) {}

  std::optional<std::string> get(std::string_view key) const;
  void set(std::string_view key, std::string_view value) const { put(key, value, false); }
  // Encrypted at rest with the server's key; use for seeds, private keys, passwords.
  void set_secret(std::string_view key, std::string_view value) const { put(key, value, true); }
  // As set / set_secret, but only while the key has no value: true when this call stored it.
  // Atomic across server processes on a host of ABI 1.5 or later (a get-then-set before).
  bool add(std::string_view key, std::string_view value) const {
    return add_value(key, value, false);
  }
  bool add_secret(std::string_view key, std::string_view value) const {
    return add_value(key, value, true);
  }
  void remove(std::string_view key) const;

 private:
  void put(std::string_view key, std::string_view value, bool secret) const;
  bool add_value(std::string_view key, std::string_view value, bool secret) const;
  const Host& host_;
  std::string object_;
};

class Host {
 public:
  Host(const tessera_host_api_v1* api, void* context) : api_(api), context_(context) {}

  void log(tessera_log_level level, std::string_view message) const {
    api_->log(context_, level, detail::view(message));
  }
  void info(std::string_view message) const { log(TESSERA_LOG_INFO, message); }
  void warning(std::string_view message) const { log(TESSERA_LOG_WARNING, message); }

  std::vector<uint8_t> random_bytes(size_t size) const {
    std::vector<uint8_t> out(size);
    if (api_->random_bytes(context_, out.data(), out.size()) != TESSERA_OK)
      throw Error::unavailable("the host could not provide random bytes");
    return out;
  }

  std::chrono::system_clock::time_point now() const {
    return std::chrono::system_clock::time_point(
        std::chrono::milliseconds(api_->now_unix_ms(context_)));
  }

  ObjectStore store(std::string object) const { return ObjectStore(*this, std::move(object)); }

  HttpResponse http(const HttpRequest& request) const {
    std::string headers;
    for (const auto& [name, value] : request.headers) {
      // A CR or LF would end the header and start another: a header the plugin did not mean.
      if (name.find_first_of("\r\n:") != std::string::npos ||
          value.find_first_of("\r\n") != std::string::npos)
        throw Error::invalid_argument(
            "an HTTP header with a line break in its name or value, or a ':' in its name");
      headers += name + ": " + value + "\r\n";
    }
    const bool login =
        request.auth != HttpRequest::Auth::none || !request.client_certificate_pem.empty();
    if (login &&
        (api_->struct_size < offsetof(tessera_host_api_v1, abi_minor) + sizeof(api_->abi_minor) ||
         api_->abi_minor < 6))
      throw Error::unavailable("this server cannot log in to " + detail::origin_of(request.url) +
                               ": it needs Tessera with plugin ABI 1.6 or later");
    tessera_http_request raw{sizeof(tessera_http_request),
                             detail::view(request.method),
                             detail::view(request.url),
                             detail::view(headers),
                             detail::view(request.body),
                             static_cast<uint32_t>(request.timeout.count()),
                             detail::view(request.trusted_ca_pem),
                             static_cast<uint32_t>(request.auth),
                             detail::view(request.username),
                             detail::view(request.password),
                             detail::view(request.keytab),
                             detail::view(request.client_certificate_pem),
                             detail::view(request.client_key_pem)};
    detail::StringSink body, error, header_lines;
    int32_t status = 0;
    // A host older than 1.5 has no http_exchange: no headers then, and no trusted_ca_pem.
    const bool exchange = api_->struct_size >= offsetof(tessera_host_api_v1, http_exchange) +
                                                   sizeof(api_->http_exchange) &&
                          api_->http_exchange;
    const auto rc = exchange ? api_->http_exchange(context_, &raw, &status, &header_lines.sink,
                                                   &body.sink, &error.sink)
                             : api_->http_request(context_, &raw, &status, &body.sink, &error.sink);
    // A login the host was refused before it sent anything (a KDC that will not log the
    // principal in) is the configuration's to fix, not an outage.
    if (rc == TESSERA_ERR_INVALID_ARGUMENT && !error.text.empty())
      throw Error::invalid_argument(error.text);
    if (rc != TESSERA_OK || body.failed || header_lines.failed)
      throw Error::unavailable("HTTP request to " + detail::origin_of(request.url) +
                               " failed: " + error.text);
    HttpResponse response{status, std::move(body.text), {}};
    for (size_t at = 0; at < header_lines.text.size();) {
      auto end = header_lines.text.find("\r\n", at);
      if (end == std::string::npos) end = header_lines.text.size();
      const std::string_view line(header_lines.text.data() + at, end - at);
      if (const auto colon = line.find(':'); colon != std::string_view::npos) {
        auto value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
          value.remove_prefix(1);
        response.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
      }
      at = end + 2;
    }
    return response;
  }

  // Throws Error::not_found for a server nobody defined, Error::unavailable when no valid reply
  // came, Error::invalid_argument for a field RADIUS cannot carry.
  RadiusReply radius(const RadiusRequest& request) const {
    if (api_->struct_size <
            offsetof(tessera_host_api_v1, radius_request) + sizeof(api_->radius_request) ||
        !api_->radius_request)
      throw Error::unavailable(
          "this server cannot send RADIUS requests: it needs Tessera with "
          "plugin ABI 1.7 or later");
    tessera_radius_request raw{sizeof(tessera_radius_request), detail::view(request.server),
                               detail::view(request.user), detail::view(request.password),
                               detail::view(request.state)};
    int32_t code = 0;
    detail::StringSink message, state, error;
    const auto status =
        api_->radius_request(context_, &raw, &code, &message.sink, &state.sink, &error.sink);
    switch (status) {
      case TESSERA_OK:
        break;
      case TESSERA_ERR_NOT_FOUND:
        throw Error::not_found("no RADIUS server '" + request.server + "' is defined");
      case TESSERA_ERR_INVALID_ARGUMENT:
        throw Error::invalid_argument(error.text);
      default:
        throw Error::unavailable(error.text.empty() ? "the RADIUS request failed" : error.text);
    }
    if (message.failed || state.failed) throw Error::unavailable("the RADIUS reply was lost");
    if (code != 2 && code != 3 && code != 11)
      throw Error::unavailable("the host answered RADIUS code " + std::to_string(code));
    return {static_cast<RadiusReply::Code>(code), std::move(message.text), std::move(state.text)};
  }

  const tessera_host_api_v1* api() const { return api_; }
  void* context() const { return context_; }

 private:
  const tessera_host_api_v1* api_;
  void* context_;
};

namespace detail {
// A store call that failed, as what it is: a key or object the host refuses is the plugin's to
// fix (invalid_argument); anything else (the database) may pass.
inline Error store_failure(tessera_status status, const char* doing) {
  if (status == TESSERA_ERR_INVALID_ARGUMENT)
    return Error::invalid_argument(
        std::string("the host store refused ") + doing +
        ": object and key are 1 to 255 bytes, a value at most 1 MiB, and "
        "a new key must fit in the plugin's plugins.store_max_keys");
  return Error::unavailable(std::string("the host store could not be ") + doing);
}
}  // namespace detail

inline std::optional<std::string> ObjectStore::get(std::string_view key) const {
  detail::StringSink value;
  auto status = host_.api()->store_get(host_.context(), detail::view(object_), detail::view(key),
                                       &value.sink);
  if (status == TESSERA_ERR_NOT_FOUND) return std::nullopt;
  if (status != TESSERA_OK) throw detail::store_failure(status, "read");
  if (value.failed) throw Error::unavailable("the host store could not be read");
  return std::move(value.text);
}

inline void ObjectStore::put(std::string_view key, std::string_view value, bool secret) const {
  if (const auto status =
          host_.api()->store_set(host_.context(), detail::view(object_), detail::view(key),
                                 detail::view(value), secret ? 1 : 0);
      status != TESSERA_OK)
    throw detail::store_failure(status, "written");
}

inline bool ObjectStore::add_value(std::string_view key, std::string_view value,
                                   bool secret) const {
  const auto* api = host_.api();
  if (api->struct_size < offsetof(tessera_host_api_v1, store_add) + sizeof(api->store_add) ||
      !api->store_add) {
    if (get(key)) return false;  // an older host: not atomic across processes
    put(key, value, secret);
    return true;
  }
  int added = 0;
  if (const auto status = api->store_add(host_.context(), detail::view(object_), detail::view(key),
                                         detail::view(value), secret ? 1 : 0, &added);
      status != TESSERA_OK)
    throw detail::store_failure(status, "written");
  return added != 0;
}

inline void ObjectStore::remove(std::string_view key) const {
  auto status =
      host_.api()->store_delete(host_.context(), detail::view(object_), detail::view(key));
  if (status != TESSERA_OK && status != TESSERA_ERR_NOT_FOUND)
    throw detail::store_failure(status, "written");
}

}  // namespace tessera::sdk
