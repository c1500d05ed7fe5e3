// Strict YAML reading: every key is known, every value has the expected type and range.
#include "server/config/server_config.hpp"

#include "server/policy/policy_engine.hpp"

#include <sched.h>

#include <algorithm>
#include <set>
#include <thread>

#include <yaml-cpp/yaml.h>

namespace tessera {
namespace {

class Reader {
 public:
  explicit Reader(std::filesystem::path file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key,
                         const std::string& reason) const {
    std::string where = file_.string();
    if (node.IsDefined() && node.Mark().line >= 0)
      where += ":" + std::to_string(node.Mark().line + 1);
    throw ConfigError(where + ": " + key + ": " + reason);
  }

  void expect_map(const YAML::Node& node, const std::string& key,
                  const std::set<std::string>& known) const {
    if (!node.IsMap()) fail(node, key, "expected a mapping");
    std::set<std::string> seen;
    for (const auto& item : node) {
      if (!item.first.IsScalar()) fail(item.first, key, "keys must be plain names");
      auto name = item.first.Scalar();
      // yaml-cpp keeps the first of two equal keys; an admin editing the second would be
      // surprised, so refuse.
      if (!seen.insert(name).second)
        fail(item.first, key.empty() ? name : key + "." + name, "given twice");
      if (!known.count(name)) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        fail(item.first, key.empty() ? name : key + "." + name,
             "unknown key (known keys: " + list + ")");
      }
    }
  }

  std::string string(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) fail(node, key, "expected a string");
    return node.Scalar();
  }

  // A list of IP addresses or networks ("10.0.0.0/8").
  std::vector<std::string> networks(const YAML::Node& node, const std::string& key) const {
    if (!node.IsSequence()) fail(node, key, "expected a list of addresses or networks");
    std::vector<std::string> out;
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string item_key = key + "[" + std::to_string(i) + "]";
      auto network = string(node[i], item_key);
      if (!policy::is_network(network))
        fail(node[i], item_key, "'" + network + "' is not an IP address or network (10.0.0.0/8)");
      out.push_back(std::move(network));
    }
    return out;
  }

  long long integer(const YAML::Node& node, const std::string& key, long long min,
                    long long max) const {
    if (!node.IsScalar()) fail(node, key, "expected an integer");
    long long value = 0;
    try {
      size_t used = 0;
      value = std::stoll(node.Scalar(), &used);
      if (used != node.Scalar().size()) throw std::invalid_argument("trailing characters");
    } catch (const std::exception&) {
      fail(node, key, "expected an integer, got '" + node.Scalar() + "'");
    }
    if (value < min || value > max)
      fail(node, key,
           "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
               std::to_string(value));
    return value;
  }

  bool boolean(const YAML::Node& node, const std::string& key) const {
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value))
      fail(node, key, "expected true or false");
    return value;
  }

  std::filesystem::path path(const YAML::Node& node, const std::string& key) const {
    std::filesystem::path p = string(node, key);
    if (p.empty()) fail(node, key, "expected a path");
    if (p.is_relative()) p = file_.parent_path() / p;
    return p.lexically_normal();
  }

  std::filesystem::path existing_file(const YAML::Node& node, const std::string& key) const {
    auto p = path(node, key);
    if (!std::filesystem::is_regular_file(p)) fail(node, key, "file " + p.string() + " not found");
    return p;
  }

 private:
  std::filesystem::path file_;
};

void read_listen(const Reader& r, const YAML::Node& node, HttpServerSettings& config) {
  if (!node.IsSequence() || node.size() == 0)
    r.fail(node, "server.listen", "expected a list of { address, port, tls }");
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string key = "server.listen[" + std::to_string(i) + "]";
    const auto& entry = node[i];
    r.expect_map(entry, key, {"address", "port", "tls"});
    if (!entry["address"]) r.fail(entry, key + ".address", "missing");
    if (!entry["port"]) r.fail(entry, key + ".port", "missing");
    ListenConfig listen;
    listen.address = r.string(entry["address"], key + ".address");
    listen.port = static_cast<uint16_t>(r.integer(entry["port"], key + ".port", 0, 65535));
    if (entry["tls"]) listen.tls = r.boolean(entry["tls"], key + ".tls");
    config.listen.push_back(listen);
  }
}

void read_tls(const Reader& r, const YAML::Node& node, HttpServerSettings& config) {
  r.expect_map(node, "server.tls", {"certificate", "private_key", "client_certificates"});
  if (node["certificate"])
    config.tls.certificate = r.existing_file(node["certificate"], "server.tls.certificate");
  if (node["private_key"])
    config.tls.private_key = r.existing_file(node["private_key"], "server.tls.private_key");
  if (config.tls.certificate.empty() != config.tls.private_key.empty())
    r.fail(node, "server.tls", "give both certificate and private_key, or neither");
  if (node["client_certificates"]) {
    auto mode = r.string(node["client_certificates"], "server.tls.client_certificates");
    if (mode == "none")
      config.tls.client_certificates = ClientCertificates::none;
    else if (mode == "request")
      config.tls.client_certificates = ClientCertificates::request;
    else
      r.fail(node["client_certificates"], "server.tls.client_certificates",
             "expected none or request, got '" + mode + "'");
  }
}

unsigned available_cores() {
  cpu_set_t cores;
  CPU_ZERO(&cores);
  if (sched_getaffinity(0, sizeof cores, &cores) == 0 && CPU_COUNT(&cores) > 0)
    return static_cast<unsigned>(std::min(CPU_COUNT(&cores), 256));
  return std::clamp(std::thread::hardware_concurrency(), 1u, 256u);
}

void read_server(const Reader& r, const YAML::Node& node, HttpServerSettings& config) {
  r.expect_map(node, "server",
               {"listen", "io_threads", "worker_threads", "handlers_on_io_threads",
                "max_body_bytes", "read_timeout_seconds", "idle_timeout_seconds",
                "shutdown_timeout_seconds", "tls", "public_url", "max_connections_per_client",
                "client_certificate_header", "trusted_proxies", "webui_dir"});
  if (!node["listen"]) r.fail(node, "server.listen", "missing");
  if (node["webui_dir"]) config.webui_dir = r.path(node["webui_dir"], "server.webui_dir");
  read_listen(r, node["listen"], config);
  // Unset: two per core this process may run on (its CPU affinity, as a container sets it).
  // I/O threads also run handlers (all but one of them at once): two per core measured best
  // on two cores, as fast as eight and with a lower p99 (docs/benchmarks.md).
  config.io_threads = std::min(2 * available_cores(), 256u);
  // Workers mostly wait (the database, plugins, peers), and on SQLite the writes of waiting
  // workers are committed together: eight per core measured best on two cores (docs/perf/).
  config.worker_threads = std::clamp(8 * available_cores(), 8u, 32u);
  if (node["io_threads"])
    config.io_threads =
        static_cast<unsigned>(r.integer(node["io_threads"], "server.io_threads", 1, 256));
  if (node["worker_threads"])
    config.worker_threads =
        static_cast<unsigned>(r.integer(node["worker_threads"], "server.worker_threads", 1, 1024));
  if (node["handlers_on_io_threads"]) {
    const auto most = static_cast<long long>(config.io_threads) - 1;
    config.handlers_on_io_threads = static_cast<unsigned>(
        r.integer(node["handlers_on_io_threads"], "server.handlers_on_io_threads", 0, most));
  }
  if (node["max_connections_per_client"])
    config.max_connections_per_client = static_cast<size_t>(r.integer(
        node["max_connections_per_client"], "server.max_connections_per_client", 1, 1000000));
  if (node["max_body_bytes"])
    config.max_body_bytes = static_cast<size_t>(
        r.integer(node["max_body_bytes"], "server.max_body_bytes", 1024, 1LL << 30));
  auto seconds = [&](const char* name, std::chrono::seconds& out) {
    if (node[name])
      out = std::chrono::seconds(r.integer(node[name], std::string("server.") + name, 1, 86400));
  };
  seconds("read_timeout_seconds", config.read_timeout);
  seconds("idle_timeout_seconds", config.idle_timeout);
  seconds("shutdown_timeout_seconds", config.shutdown_timeout);
  if (node["tls"]) read_tls(r, node["tls"], config);
  if (node["public_url"]) {
    auto url = r.string(node["public_url"], "server.public_url");
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (!(url.starts_with("https://") || url.starts_with("http://")) || url.size() < 10 ||
        url.find_first_of(" ,\"\n") != std::string::npos)
      r.fail(node["public_url"], "server.public_url",
             "must be an http(s) URL such as https://tessera.example");
    config.public_url = url;
  }
  if (node["client_certificate_header"])
    config.client_certificate_header =
        r.string(node["client_certificate_header"], "server.client_certificate_header");
  if (const auto& proxies = node["trusted_proxies"])
    config.trusted_proxies = r.networks(proxies, "server.trusted_proxies");
  if (!config.client_certificate_header.empty() && config.trusted_proxies.empty())
    r.fail(node["client_certificate_header"], "server.client_certificate_header",
           "needs server.trusted_proxies: the header is believed only from those");
}

ServerConfig read_config(const YAML::Node& root, const std::filesystem::path& absolute);

void read_auth(const Reader& r, const YAML::Node& node, AuthSettings& auth) {
  r.expect_map(node, "auth", {"token_validity_seconds", "lockout"});
  if (node["token_validity_seconds"])
    auth.token_validity = std::chrono::seconds(
        r.integer(node["token_validity_seconds"], "auth.token_validity_seconds", 60, 7 * 86400));
  if (const auto& lockout = node["lockout"]) {
    r.expect_map(lockout, "auth.lockout", {"max_failures", "window_seconds", "lock_seconds"});
    if (lockout["max_failures"])
      auth.lockout_max_failures = static_cast<int>(
          r.integer(lockout["max_failures"], "auth.lockout.max_failures", 1, 1000));
    if (lockout["window_seconds"])
      auth.lockout_window = std::chrono::seconds(
          r.integer(lockout["window_seconds"], "auth.lockout.window_seconds", 1, 86400));
    if (lockout["lock_seconds"])
      auth.lockout_duration = std::chrono::seconds(
          r.integer(lockout["lock_seconds"], "auth.lockout.lock_seconds", 1, 7 * 86400));
  }
}

void read_certificates(const Reader& r, const YAML::Node& node, CertificateSettings& out) {
  r.expect_map(node, "certificates",
               {"trusted_ca_file", "attestation_ca_file", "crl_validity_seconds",
                "crl_renew_before_seconds", "smartcard_confirm_seconds"});
  if (node["smartcard_confirm_seconds"])
    out.smartcard_confirm = std::chrono::seconds(r.integer(
        node["smartcard_confirm_seconds"], "certificates.smartcard_confirm_seconds", 2, 7 * 86400));
  if (node["trusted_ca_file"])
    out.trusted_ca_file = r.existing_file(node["trusted_ca_file"], "certificates.trusted_ca_file");
  if (node["attestation_ca_file"])
    out.attestation_ca_file =
        r.existing_file(node["attestation_ca_file"], "certificates.attestation_ca_file");
  if (node["crl_validity_seconds"])
    out.crl_validity = std::chrono::seconds(r.integer(
        node["crl_validity_seconds"], "certificates.crl_validity_seconds", 2, 366 * 86400));
  if (node["crl_renew_before_seconds"])
    out.crl_renew_before = std::chrono::seconds(r.integer(
        node["crl_renew_before_seconds"], "certificates.crl_renew_before_seconds", 1, 365 * 86400));
  if (out.crl_renew_before >= out.crl_validity)
    r.fail(node, "certificates.crl_renew_before_seconds",
           "must be shorter than certificates.crl_validity_seconds");
}

void read_events(const Reader& r, const YAML::Node& node, EventSettings& out) {
  r.expect_map(node, "events",
               {"retry_base_seconds", "max_attempts", "expiry_warning_days",
                "poll_interval_seconds", "keep_delivered_days", "outbox_workers"});
  if (node["outbox_workers"])
    out.outbox_workers =
        static_cast<unsigned>(r.integer(node["outbox_workers"], "events.outbox_workers", 1, 64));
  if (node["retry_base_seconds"])
    out.retry_base = std::chrono::seconds(
        r.integer(node["retry_base_seconds"], "events.retry_base_seconds", 1, 3600));
  if (node["max_attempts"])
    out.max_attempts =
        static_cast<int>(r.integer(node["max_attempts"], "events.max_attempts", 1, 100));
  if (node["expiry_warning_days"])
    out.expiry_warning_days = static_cast<int>(
        r.integer(node["expiry_warning_days"], "events.expiry_warning_days", 1, 3650));
  if (node["keep_delivered_days"])
    out.keep_delivered = std::chrono::seconds(
        86400 * r.integer(node["keep_delivered_days"], "events.keep_delivered_days", 1, 3650));
  if (node["poll_interval_seconds"])
    out.poll_interval = std::chrono::seconds(
        r.integer(node["poll_interval_seconds"], "events.poll_interval_seconds", 1, 86400));
}

}  // namespace

bool HttpServerSettings::any_tls_listener() const {
  return std::any_of(listen.begin(), listen.end(), [](const auto& l) { return l.tls; });
}

ServerConfig load_config(const std::filesystem::path& file) {
  const auto absolute = std::filesystem::absolute(file).lexically_normal();
  if (!std::filesystem::is_regular_file(absolute))
    throw ConfigError(absolute.string() + ": configuration file not found");
  YAML::Node root;
  try {
    root = YAML::LoadFile(absolute.string());
  } catch (const YAML::Exception& e) {
    throw ConfigError(absolute.string() + ":" + std::to_string(e.mark.line + 1) +
                      ": not valid YAML: " + e.msg);
  }
  try {
    return read_config(root, absolute);
  } catch (const YAML::Exception& e) {  // a shape the checks above did not foresee
    throw ConfigError(absolute.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

namespace {

ServerConfig read_config(const YAML::Node& root, const std::filesystem::path& absolute) {
  Reader r(absolute);
  ServerConfig config;
  config.config_file = absolute;
  r.expect_map(root, "",
               {"server", "data_dir", "database", "plugins", "log", "encryption_key_file", "auth",
                "certificates", "events", "first_start"});
  if (const auto& first = root["first_start"]) {
    r.expect_map(first, "first_start", {"realm", "ca"});
    for (const auto& [key, field] :
         {std::pair<const char*, std::string*>{"realm", &config.first_start.realm},
          {"ca", &config.first_start.ca}})
      if (first[key]) {
        *field = first[key].IsNull() ? "" : r.string(first[key], std::string("first_start.") + key);
        if (field->size() > 64 ||
            field->find_first_not_of(
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
                std::string::npos)
          r.fail(first[key], std::string("first_start.") + key,
                 "a name of up to 64 letters, digits, '_', '-' or '.', or \"\" for none");
      }
  }
  if (root["auth"]) read_auth(r, root["auth"], config.auth);
  if (root["certificates"]) read_certificates(r, root["certificates"], config.certificates);
  if (root["events"]) read_events(r, root["events"], config.events);

  if (!root["server"]) r.fail(root, "server", "missing");
  read_server(r, root["server"], config.server);

  if (!root["data_dir"]) r.fail(root, "data_dir", "missing");
  config.data_dir = r.path(root["data_dir"], "data_dir");
  config.encryption_key_file = root["encryption_key_file"]
                                   ? r.path(root["encryption_key_file"], "encryption_key_file")
                                   : config.data_dir / "encryption.key";

  if (!root["database"]) r.fail(root, "database", "missing");
  r.expect_map(root["database"], "database", {"url", "pool_size"});
  if (!root["database"]["url"]) r.fail(root["database"], "database.url", "missing");
  config.database_url = r.string(root["database"]["url"], "database.url");
  if (root["database"]["pool_size"])
    config.database_pool_size = static_cast<unsigned>(
        r.integer(root["database"]["pool_size"], "database.pool_size", 1, 1024));

  if (root["plugins"]) {
    const auto& plugins = root["plugins"];
    r.expect_map(plugins, "plugins",
                 {"directories", "deadlines", "http_allowed_networks", "http_proxy", "concurrency",
                  "isolation", "process_memory_mb", "store_max_keys"});
    if (const auto& keys = plugins["store_max_keys"])
      config.plugin_store_max_keys = r.integer(keys, "plugins.store_max_keys", 1, 100000000);
    if (const auto& isolation = plugins["isolation"]) {
      if (!isolation.IsMap())
        r.fail(isolation, "plugins.isolation",
               "a map of plugin ids (or default) to in_process, inline or process");
      for (const auto& entry : isolation) {
        const auto id = entry.first.as<std::string>();
        const auto where = r.string(entry.second, "plugins.isolation." + id);
        if (where != "in_process" && where != "process" && where != "inline")
          r.fail(entry.second, "plugins.isolation." + id,
                 "in_process (the plugin runs in the server, each call on a plugin thread with "
                 "a deadline), inline (in the server, on the request's thread, no deadline) or "
                 "process (in a child process)");
        if (where == "inline" && id == "default")
          r.fail(entry.second, "plugins.isolation.default",
                 "inline is given per plugin, never as the default: it takes away the deadline "
                 "that keeps a stuck plugin from holding a request");
        if (where == "inline") config.plugin_isolation.inline_ids.insert(id);
        if (id == "default")
          config.plugin_isolation.process_by_default = where == "process";
        else
          config.plugin_isolation.process_by_id[id] = where == "process";
      }
    }
    if (const auto& memory = plugins["process_memory_mb"])
      config.plugin_isolation.memory_mb =
          static_cast<unsigned>(r.integer(memory, "plugins.process_memory_mb", 64, 65536));
    if (const auto& limits = plugins["concurrency"]) {
      if (!limits.IsMap())
        r.fail(limits, "plugins.concurrency",
               "a map of plugin ids (or default) to how many calls each may be in at once");
      for (const auto& entry : limits) {
        const auto id = entry.first.as<std::string>();
        const auto limit =
            static_cast<unsigned>(r.integer(entry.second, "plugins.concurrency." + id, 1, 1024));
        if (id == "default")
          config.plugin_concurrency_default = limit;
        else
          config.plugin_concurrency[id] = limit;
      }
    }
    if (const auto& proxy = plugins["http_proxy"]) {
      config.plugin_http_proxy = r.string(proxy, "plugins.http_proxy");
      if (!config.plugin_http_proxy.starts_with("http://") &&
          !config.plugin_http_proxy.starts_with("https://"))
        r.fail(proxy, "plugins.http_proxy", "an http:// or https:// URL of the proxy");
    }
    if (const auto& networks = plugins["http_allowed_networks"])
      config.plugin_http_allowed_networks = r.networks(networks, "plugins.http_allowed_networks");
    if (const auto& d = plugins["deadlines"]) {
      r.expect_map(d, "plugins.deadlines",
                   {"token_type_ms", "ca_connector_ms", "notification_ms", "create_ms"});
      auto& out = config.plugin_deadlines;
      const auto read = [&](const char* key, std::chrono::milliseconds& field) {
        if (d[key])
          field = std::chrono::milliseconds(
              r.integer(d[key], std::string("plugins.deadlines.") + key, 10, 3600 * 1000));
      };
      read("token_type_ms", out.token_type);
      read("ca_connector_ms", out.ca_connector);
      read("notification_ms", out.notification);
      read("create_ms", out.create);
    }
    if (plugins["directories"]) {
      const auto& dirs = plugins["directories"];
      if (!dirs.IsSequence()) r.fail(dirs, "plugins.directories", "expected a list of folders");
      for (size_t i = 0; i < dirs.size(); ++i) {
        const std::string key = "plugins.directories[" + std::to_string(i) + "]";
        auto dir = r.path(dirs[i], key);
        if (!std::filesystem::is_directory(dir))
          r.fail(dirs[i], key, "folder " + dir.string() + " not found");
        config.plugin_directories.push_back(dir);
      }
    }
  }

  if (root["log"]) {
    r.expect_map(root["log"], "log", {"level"});
    if (root["log"]["level"]) {
      config.log_level = r.string(root["log"]["level"], "log.level");
      static const std::set<std::string> levels{"debug", "info", "warning", "error"};
      if (!levels.count(config.log_level))
        r.fail(root["log"]["level"], "log.level", "expected debug, info, warning or error");
    }
  }
  // One connection for every thread that may run a handler at once, and one to spare.
  if (config.database_pool_size == 0)
    config.database_pool_size = config.server.worker_threads + config.server.io_threads;
  return config;
}

}  // namespace

}  // namespace tessera
