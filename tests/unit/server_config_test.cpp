#include "server/config/server_config.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/server_process.hpp"

namespace tessera {
namespace {

class ServerConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::make_temp_dir("tessera-config"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  ServerConfig load(const std::string& text) {
    std::ofstream(dir_ / "t.yaml") << text;
    return load_config(dir_ / "t.yaml");
  }
  std::string error_of(const std::string& text) {
    try {
      load(text);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  }
  std::filesystem::path dir_;
};

const char* kMinimal =
    "server:\n  listen:\n    - { address: 127.0.0.1, port: 8443 }\n"
    "data_dir: ./data\ndatabase:\n  url: sqlite://./data/t.db\n";

TEST_F(ServerConfigTest, ReadsAMinimalFileWithDefaults) {
  auto c = load(kMinimal);
  ASSERT_EQ(c.server.listen.size(), 1u);
  EXPECT_EQ(c.server.listen[0].port, 8443);
  EXPECT_TRUE(c.server.listen[0].tls) << "TLS is the default";
  EXPECT_EQ(c.data_dir, dir_ / "data") << "relative paths are taken from the file's folder";
  EXPECT_EQ(c.encryption_key_file, dir_ / "data" / "encryption.key");
  EXPECT_EQ(c.database_pool_size, c.server.worker_threads + c.server.io_threads)
      << "a connection for each thread that may run a handler";
  EXPECT_FALSE(c.server.handlers_on_io_threads) << "unset: all I/O threads but one";
  EXPECT_EQ(c.server.max_body_bytes, 1024u * 1024u);
}

TEST_F(ServerConfigTest, HandlersOnIoThreadsLeaveOneIoThreadFree) {
  const std::string server =
      "server:\n  listen: [{address: 127.0.0.1, port: 1}]\n  io_threads: 4\n"
      "data_dir: x\ndatabase: {url: x}\n";
  auto with = [&](const std::string& line) {
    auto text = server;
    text.insert(text.find("data_dir"), "  " + line + "\n");
    return text;
  };
  EXPECT_EQ(load(with("handlers_on_io_threads: 3")).server.handlers_on_io_threads, 3u);
  EXPECT_EQ(load(with("handlers_on_io_threads: 0")).server.handlers_on_io_threads, 0u);
  EXPECT_NE(error_of(with("handlers_on_io_threads: 4")).find("server.handlers_on_io_threads"),
            std::string::npos)
      << error_of(with("handlers_on_io_threads: 4"));
}

TEST_F(ServerConfigTest, RefusesUnknownKeysWithLineAndKnownKeys) {
  auto e = error_of(std::string(kMinimal) + "plugins:\n  directory: [x]\n");
  EXPECT_NE(e.find("t.yaml:8: plugins.directory: unknown key (known keys: concurrency, deadlines, "
                   "directories, http_allowed_networks, http_proxy, isolation, process_memory_mb, "
                   "store_max_keys)"),
            std::string::npos)
      << e;
}

TEST_F(ServerConfigTest, ReadsPluginDeadlinesAllowedNetworksAndOutboxWorkers) {
  auto c = load(std::string(kMinimal) +
                "plugins:\n  deadlines: { token_type_ms: 250, create_ms: 1000 }\n"
                "  http_allowed_networks: [127.0.0.1, 169.254.0.0/16]\n"
                "events: { outbox_workers: 8 }\n");
  EXPECT_EQ(c.plugin_deadlines.token_type, std::chrono::milliseconds(250));
  EXPECT_EQ(c.plugin_deadlines.ca_connector, std::chrono::milliseconds(60000)) << "default";
  EXPECT_EQ(c.plugin_deadlines.create, std::chrono::milliseconds(1000));
  EXPECT_EQ(c.plugin_http_allowed_networks,
            (std::vector<std::string>{"127.0.0.1", "169.254.0.0/16"}));
  EXPECT_EQ(c.events.outbox_workers, 8u);
  const auto limits = load(std::string(kMinimal) +
                           "plugins:\n  concurrency: { default: 3, org.example.slow: 1 }\n");
  EXPECT_EQ(limits.plugin_concurrency_default, 3u);
  EXPECT_EQ(limits.plugin_concurrency.at("org.example.slow"), 1u);
  const auto isolated =
      load(std::string(kMinimal) +
           "plugins:\n  isolation: { org.example.sms: process, org.example.ca: in_process }\n"
           "  process_memory_mb: 300\n");
  EXPECT_TRUE(isolated.plugin_isolation.in_child("org.example.sms", true));
  EXPECT_FALSE(isolated.plugin_isolation.in_child("org.example.ca", false));
  EXPECT_FALSE(isolated.plugin_isolation.in_child("org.example.totp", true)) << "token types: in";
  EXPECT_TRUE(isolated.plugin_isolation.in_child("org.example.acme", false)) << "others: out";
  EXPECT_EQ(isolated.plugin_isolation.memory_mb, 300u);
  EXPECT_TRUE(load(std::string(kMinimal) + "plugins:\n  isolation: { default: process }\n")
                  .plugin_isolation.in_child("org.example.totp", true));
  EXPECT_NE(error_of(std::string(kMinimal) + "plugins:\n  isolation: { default: sandbox }\n")
                .find("plugins.isolation.default: in_process (the plugin runs in the server, each "
                      "call on a plugin thread with a deadline), inline"),
            std::string::npos);
  const auto inlined =
      load(std::string(kMinimal) + "plugins:\n  isolation: { org.example.hotp: inline }\n");
  EXPECT_EQ(inlined.plugin_isolation.inline_ids.count("org.example.hotp"), 1u);
  EXPECT_FALSE(inlined.plugin_isolation.in_child("org.example.hotp", true));
  EXPECT_NE(error_of(std::string(kMinimal) + "plugins:\n  isolation: { default: inline }\n")
                .find("inline is given per plugin, never as the default"),
            std::string::npos);
  EXPECT_NE(error_of(std::string(kMinimal) + "plugins:\n  concurrency: { default: 0 }\n")
                .find("plugins.concurrency.default: must be between 1 and 1024"),
            std::string::npos);
  EXPECT_NE(error_of(std::string(kMinimal) + "plugins:\n  deadlines: { token_type_ms: 5 }\n")
                .find("plugins.deadlines.token_type_ms"),
            std::string::npos);
  EXPECT_NE(error_of(std::string(kMinimal) + "plugins:\n  http_allowed_networks: [localhost]\n")
                .find("plugins.http_allowed_networks[0]: 'localhost' is not an IP address"),
            std::string::npos);
  EXPECT_NE(error_of(std::string(kMinimal) + "events: { outbox_workers: 0 }\n")
                .find("events.outbox_workers"),
            std::string::npos);
}

TEST_F(ServerConfigTest, RefusesWrongTypesAndRanges) {
  EXPECT_NE(error_of("server:\n  listen: 8443\ndata_dir: x\ndatabase: {url: x}\n")
                .find("server.listen: expected a list"),
            std::string::npos);
  EXPECT_NE(error_of("server:\n  listen: [{address: a, port: 1, tls: maybe}]\ndata_dir: "
                     "x\ndatabase: {url: x}\n")
                .find("server.listen[0].tls: expected true or false"),
            std::string::npos);
  EXPECT_NE(
      error_of(std::string(kMinimal) + "log: {level: loud}\n").find("log.level: expected debug"),
      std::string::npos);
  EXPECT_NE(error_of("server:\n  listen: [{address: a, port: 1}]\ndatabase: {url: x}\n")
                .find("data_dir: missing"),
            std::string::npos);
}

TEST_F(ServerConfigTest, ReadsThePublicUrlAndRefusesOneThatIsNot) {
  const std::string head = "server:\n  listen:\n    - { address: 127.0.0.1, port: 8443 }\n";
  const std::string tail = "data_dir: ./data\ndatabase:\n  url: sqlite://./data/t.db\n";
  EXPECT_EQ(load(head + "  public_url: https://tessera.example/\n" + tail).server.public_url,
            "https://tessera.example");
  EXPECT_NE(error_of(head + "  public_url: tessera.example\n" + tail)
                .find("server.public_url: must be an http(s) URL"),
            std::string::npos);
}

TEST_F(ServerConfigTest, ACertificateHeaderNeedsTrustedProxies) {
  const std::string head = "server:\n  listen:\n    - { address: 127.0.0.1, port: 8443 }\n";
  const std::string tail = "data_dir: ./data\ndatabase:\n  url: sqlite://./data/t.db\n";
  EXPECT_NE(error_of(head + "  client_certificate_header: X-SSL-Client-Cert\n" + tail)
                .find("needs server.trusted_proxies"),
            std::string::npos);
  EXPECT_NE(error_of(head + "  trusted_proxies: [proxy.example]\n" + tail)
                .find("'proxy.example' is not an IP address or network"),
            std::string::npos);
  auto c = load(head +
                "  client_certificate_header: X-SSL-Client-Cert\n  trusted_proxies: "
                "[10.0.0.0/8]\n" +
                tail);
  EXPECT_EQ(c.server.trusted_proxies, std::vector<std::string>{"10.0.0.0/8"});
}

TEST_F(ServerConfigTest, RequiresCertificateAndKeyTogether) {
  std::ofstream(dir_ / "c.pem") << "x";
  auto e = error_of(std::string(kMinimal).replace(std::string(kMinimal).find("data_dir"), 0,
                                                  "  tls: { certificate: c.pem }\n"));
  EXPECT_NE(e.find("server.tls: give both certificate and private_key"), std::string::npos) << e;
}

}  // namespace
}  // namespace tessera
