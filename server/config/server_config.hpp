// The server's configuration, read from YAML and checked strictly: an unknown key, a wrong type
// or a missing file stops the server with the file, line, key and reason.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "server/plugins/plugin_calls.hpp"
#include "server/plugins/plugin_isolation.hpp"

namespace tessera {

class ConfigError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ListenConfig {
  std::string address;
  uint16_t port = 0;  // 0: an ephemeral port, printed at start
  bool tls = true;
};

enum class ClientCertificates { none, request };

struct TlsConfig {
  // Empty: a self-signed certificate is created in <data_dir>/tls at first start.
  std::filesystem::path certificate;
  std::filesystem::path private_key;
  ClientCertificates client_certificates = ClientCertificates::none;
};

// The `server:` section: everything the HTTP server needs.
struct HttpServerSettings {
  std::vector<ListenConfig> listen;
  unsigned io_threads = 2;      // the configuration reader sets two per available core
  unsigned worker_threads = 4;  // the configuration reader sets 8 per available core (8 to 32)
  // How many I/O threads may run a request's handler themselves, with no hand-off to a worker
  // (server.handlers_on_io_threads). Unset: all but one, so one always reads and writes.
  std::optional<unsigned> handlers_on_io_threads;
  size_t max_body_bytes = 1024 * 1024;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds shutdown_timeout{30};
  // Open connections one client address may hold (server.max_connections_per_client); one
  // more is closed at once. Behind a proxy, raise it: every client is the proxy's address.
  size_t max_connections_per_client = 512;
  TlsConfig tls;
  // How clients reach this server ("https://tessera.example"), for URLs put into what it
  // issues (the CRL distribution point of certificates). Empty: none are put in.
  std::string public_url;
  // Behind a TLS-terminating proxy: the header that carries the client certificate (URL-encoded
  // PEM, as nginx's $ssl_client_escaped_cert), believed only from these addresses or networks.
  std::string client_certificate_header;
  std::vector<std::string> trusted_proxies;
  // The built WebUI. Default: share/tessera/webui beside the binary's bin folder (the build tree
  // and an installed tree look the same).
  std::filesystem::path webui_dir;

  bool any_tls_listener() const;
};

// The `auth:` section.
struct AuthSettings {
  std::chrono::seconds token_validity{3600};
  int lockout_max_failures = 5;
  std::chrono::seconds lockout_window{300};
  std::chrono::seconds lockout_duration{300};
};

// The `certificates:` section: whom the server trusts for certificates it did not issue, and
// how long the CRLs it signs are valid.
struct CertificateSettings {
  // PEM bundle of the CAs whose certificates users may enroll as they are (they wait in
  // "review" for an admin) and log in with. Empty: no existing certificate is accepted.
  std::filesystem::path trusted_ca_file;
  // PEM bundle of the roots that attestation certificates (e.g. YubiKey PIV) must chain to.
  std::filesystem::path attestation_ca_file;
  std::chrono::seconds crl_validity{7 * 86400};
  // A CRL is signed anew this long before it expires, by a background job.
  std::chrono::seconds crl_renew_before{86400};
  // How long a smart card has, from the start of its enrollment, to confirm that it holds the
  // key of its certificate; then it expires and the certificate is revoked.
  std::chrono::seconds smartcard_confirm{3600};
};

// The `events:` section: how the outbox retries and when certificate expiry is announced.
struct EventSettings {
  // The pause after the first failed delivery, doubled after each further one (at most 1 h).
  std::chrono::milliseconds retry_base{5000};
  int max_attempts = 10;  // then the delivery is dead, for an admin to retry
  // certificate_expiring fires this many days before a certificate's end.
  int expiry_warning_days = 30;
  // How often the background jobs look for expiring certificates.
  std::chrono::seconds poll_interval{300};
  // Delivered deliveries are forgotten after this long (dead ones stay until retried).
  std::chrono::seconds keep_delivered{30 * 86400};
  // Deliveries made at once, so that one slow receiver does not hold the others.
  unsigned outbox_workers = 4;
};

// What a first start (an empty database) makes besides the first admin, so that the server is
// ready to use: a default realm with a built-in user store, and a local CA with a
// client-certificate profile. Empty names: not made (a bare server).
struct FirstStartSettings {
  std::string realm = "default";  // and its resolver "users"
  std::string ca = "local";       // EC P-256, with the profile "client"
};

struct ServerConfig {
  std::filesystem::path config_file;
  FirstStartSettings first_start;
  HttpServerSettings server;
  AuthSettings auth;
  CertificateSettings certificates;
  EventSettings events;
  std::filesystem::path data_dir;
  std::filesystem::path encryption_key_file;  // default: <data_dir>/encryption.key
  std::string database_url;
  unsigned database_pool_size = 0;  // 0: worker_threads + 1
  std::vector<std::filesystem::path> plugin_directories;
  plugins::CallDeadlines plugin_deadlines;  // plugins.deadlines
  // plugins.concurrency: how many calls each plugin may be in at once ("default", or a plugin
  // id); 0 for the default: half the worker threads, at least two.
  unsigned plugin_concurrency_default = 0;
  std::map<std::string, unsigned> plugin_concurrency;
  // plugins.isolation ("default", or a plugin id: in_process or process) and
  // plugins.process_memory_mb: which plugins run in a child process, and its memory limit.
  plugins::PluginIsolation plugin_isolation;
  long long plugin_store_max_keys = 100000;  // plugins.store_max_keys
  // Loopback or link-local networks plugins may reach over HTTP (plugins.http_allowed_networks).
  std::vector<std::string> plugin_http_allowed_networks;
  // The proxy for plugins' outbound HTTP (plugins.http_proxy, "http://proxy:3128"); empty: none,
  // whatever http_proxy/https_proxy the environment names.
  std::string plugin_http_proxy;
  std::string log_level = "info";
};

// Reads and validates the file; relative paths are taken from the file's folder.
ServerConfig load_config(const std::filesystem::path& file);

}  // namespace tessera
