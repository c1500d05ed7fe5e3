// One curl easy handle per request: simple, and correct across threads.
#include "server/plugins/http_client.hpp"

#include <memory>
#include <sstream>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <curl/curl.h>

#include "server/plugins/kerberos_login.hpp"
#include "server/policy/policy_engine.hpp"
#include "tessera/abi/tessera_plugin_abi.h"

namespace tessera::plugins {
namespace {

struct Body {
  std::string text;
  size_t limit;
  bool truncated = false;
};

size_t on_data(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<Body*>(user);
  size_t n = size * count;
  if (body->text.size() + n > body->limit) {
    body->truncated = true;
    return 0;  // aborts the transfer
  }
  body->text.append(data, n);
  return n;
}

// Header lines of the final response: a new status line (after a 100 Continue or a redirect)
// starts them afresh.
size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::string*>(user);
  const size_t n = size * count;
  const std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    headers->clear();
  } else if (line != "\r\n" && headers->size() + n <= 64 * 1024) {
    headers->append(line);
  }
  return n;
}

// Refuses, before connecting, an address the plugin may not reach.
struct Guard {
  const std::vector<std::string>* allowed;
  std::string refused;  // the address, when one was
};

// An IPv4 or IPv6 socket address as text ("" for another family).
std::string address_text(int family, const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof text);
  else if (family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text,
              sizeof text);
  return text;
}

curl_socket_t open_guarded(void* user, curlsocktype, curl_sockaddr* address) {
  auto* guard = static_cast<Guard*>(user);
  const auto text = address_text(address->family, &address->addr);
  if (!outbound_address_allowed(text, *guard->allowed)) {
    guard->refused = text;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

// The destination's addresses, when a proxy will connect instead of us: the guard on our own
// sockets sees only the proxy. Returns the first address refused, or "".
std::string refused_destination(const std::string& url, const std::vector<std::string>& allowed) {
  std::unique_ptr<CURLU, void (*)(CURLU*)> parsed(curl_url(), curl_url_cleanup);
  char* host = nullptr;
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK ||
      curl_url_get(parsed.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK)
    return url;
  std::string name(host);
  curl_free(host);
  if (name.size() > 2 && name.front() == '[' && name.back() == ']')
    name = name.substr(1, name.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &found) != 0) return {};  // the proxy will say
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> addresses(found, freeaddrinfo);
  for (auto* a = found; a; a = a->ai_next)
    if (const auto text = address_text(a->ai_family, a->ai_addr);
        !text.empty() && !outbound_address_allowed(text, allowed))
      return text;
  return {};
}

struct CurlCleanup {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

bool outbound_address_allowed(const std::string& ip, const std::vector<std::string>& allowed) {
  for (const auto& network : allowed)
    if (policy::in_network(ip, network)) return true;
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, ip.c_str(), &v4) == 1) {
    const uint32_t a = ntohl(v4.s_addr);
    return (a >> 24) != 127 && (a >> 16) != 0xA9FE && a != 0;  // 127/8, 169.254/16, 0.0.0.0
  }
  if (inet_pton(AF_INET6, ip.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6) || IN6_IS_ADDR_LINKLOCAL(&v6) || IN6_IS_ADDR_UNSPECIFIED(&v6))
      return false;
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {  // ::ffff:127.0.0.1 is 127.0.0.1
      char mapped[INET_ADDRSTRLEN] = {};
      inet_ntop(AF_INET, &v6.s6_addr[12], mapped, sizeof mapped);
      return outbound_address_allowed(mapped, allowed);
    }
    return true;
  }
  return false;  // not an address at all
}

OutboundResponse perform_http(const OutboundRequest& request, size_t max_response_bytes) {
  OutboundResponse response;
  if (request.url.rfind("http://", 0) != 0 && request.url.rfind("https://", 0) != 0) {
    response.error = "only http:// and https:// URLs are allowed";
    return response;
  }
  std::unique_ptr<CURL, CurlCleanup> curl(curl_easy_init());
  if (!curl) {
    response.error = "curl_easy_init failed";
    return response;
  }
  std::unique_ptr<curl_slist, CurlCleanup> headers;
  std::istringstream lines(request.headers);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) headers.reset(curl_slist_append(headers.release(), line.c_str()));
  }
  Body body{{}, max_response_bytes};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);
  curl_blob trusted{const_cast<char*>(request.trusted_ca_pem.data()), request.trusted_ca_pem.size(),
                    CURL_BLOB_COPY};
  if (!request.trusted_ca_pem.empty()) curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &trusted);
  // The login: curl does Basic, NTLM and SPNEGO itself; a Kerberos ticket comes first.
  std::unique_ptr<KerberosLogin> kerberos;
  switch (request.auth) {
    case TESSERA_HTTP_AUTH_NONE:
      break;
    case TESSERA_HTTP_AUTH_BASIC:
    case TESSERA_HTTP_AUTH_NTLM:
      curl_easy_setopt(c, CURLOPT_HTTPAUTH,
                       request.auth == TESSERA_HTTP_AUTH_BASIC ? CURLAUTH_BASIC : CURLAUTH_NTLM);
      curl_easy_setopt(c, CURLOPT_USERNAME, request.username.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, request.password.c_str());
      break;
    case TESSERA_HTTP_AUTH_NEGOTIATE:
      try {
        kerberos =
            std::make_unique<KerberosLogin>(request.username, request.password, request.keytab);
      } catch (const KerberosError& e) {
        response.error = e.what();
        response.login_refused = e.refused();
        return response;
      }
      curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_NEGOTIATE);
      curl_easy_setopt(c, CURLOPT_USERPWD, ":");  // the ticket, not a password
      break;
    default:
      response.error = "unknown HTTP login " + std::to_string(request.auth);
      return response;
  }
  curl_blob client_certificate{const_cast<char*>(request.client_certificate_pem.data()),
                               request.client_certificate_pem.size(), CURL_BLOB_COPY};
  curl_blob client_key{const_cast<char*>(request.client_key_pem.data()),
                       request.client_key_pem.size(), CURL_BLOB_COPY};
  if (!request.client_certificate_pem.empty()) {
    curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &client_certificate);
    curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &client_key);
    curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
  }
  // Only the configured proxy, never one from the environment (curl reads http_proxy and
  // friends unless told otherwise, and the guard would then see only the proxy's address).
  curl_easy_setopt(c, CURLOPT_PROXY, request.proxy.c_str());
  curl_easy_setopt(c, CURLOPT_NOPROXY, "");
  Guard guard{&request.allowed_networks, {}};
  if (request.proxy.empty()) {
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_guarded);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &guard);
  } else {
    // The admin chose the proxy (it may well be on loopback); the destination is checked here.
    guard.refused = refused_destination(request.url, request.allowed_networks);
    if (!guard.refused.empty()) {
      response.refused_address = guard.refused;
      response.error = "plugins may not reach " + guard.refused +
                       " (a loopback or link-local address); an admin can allow it in "
                       "plugins.http_allowed_networks";
      return response;
    }
  }
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    response.refused_address = guard.refused;
    response.error = !guard.refused.empty()
                         ? "plugins may not reach " + guard.refused +
                               " (a loopback or link-local address); an admin can allow it in "
                               "plugins.http_allowed_networks"
                     : body.truncated ? "the response is larger than " +
                                            std::to_string(max_response_bytes) + " bytes"
                                      : curl_easy_strerror(rc);
    return response;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  response.ok = true;
  response.body = std::move(body.text);
  return response;
}

}  // namespace tessera::plugins
