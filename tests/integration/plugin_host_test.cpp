// Plugins called through the host in process: the bundled webhook action posts to a real HTTP
// sink through the host's outbound HTTP, configuration is checked against the schema, and a
// library stays loaded while an instance made by it lives.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <thread>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "server/http/http_server.hpp"
#include "server/plugins/component_config.hpp"
#include "server/plugins/http_client.hpp"
#include "tests/support/host_fixture.hpp"
#include "tests/support/server_process.hpp"

namespace tessera::testing {
namespace {

// An in-process HTTP server that records what it receives, as a webhook target.
class WebhookSink {
 public:
  WebhookSink() {
    router_.add("POST", "/hook", [this](http::RequestContext& c) {
      std::lock_guard lock(mutex_);
      bodies_.push_back(c.request.body);
      content_types_.push_back(std::string(c.request.header("content-type")));
      return http::HttpResponse{200, "application/json", "{}"};
    });
    router_.add("POST", "/broken", [](http::RequestContext&) {
      return http::HttpResponse{500, "text/plain", "down"};
    });
    server_ = std::make_unique<http::HttpServer>(
        HttpServerSettings{
            .listen = {{"127.0.0.1", 0, false}}, .io_threads = 1, .worker_threads = 1},
        router_, metrics_);
    url_ = server_->bind().front();
    thread_ = std::thread([this] { server_->run(); });
  }
  ~WebhookSink() {
    server_->stop();
    thread_.join();
  }
  const std::string& url() const { return url_; }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }
  std::vector<std::string> content_types() {
    std::lock_guard lock(mutex_);
    return content_types_;
  }

 private:
  http::Router router_;
  api::Metrics metrics_;
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
  std::string url_;
  std::mutex mutex_;
  std::vector<std::string> bodies_, content_types_;
};

class WebhookPlugin : public HostFixture {
 protected:
  void SetUp() override {
    HostFixture::SetUp();
    registry_ = plugins::PluginRegistry::load({TESSERA_PLUGIN_DIR}, services_);
    ASSERT_TRUE(registry_.refusals().empty());
  }
  plugins::PluginRegistry registry_;
};

TEST_F(WebhookPlugin, PostsTheEventThroughTheHostsHttpClient) {
  WebhookSink sink;
  auto action = registry_.create_instance(TESSERA_COMPONENT_NOTIFICATION_ACTION, "webhook",
                                          "audit-hook", {{"url", sink.url() + "/hook"}});
  auto result =
      action->call(plugins::Operation::execute,
                   {{"event", {{"event", "token_init"}, {"token", {{"serial", "OATH0001"}}}}},
                    {"tags", {{"user", "alice"}}},
                    {"delivery", "7"}});
  EXPECT_EQ(result.at("status"), 200);
  ASSERT_EQ(sink.bodies().size(), 1u);
  auto sent = boost::json::parse(sink.bodies()[0]).as_object();
  EXPECT_EQ(sent.at("event").at("event"), "token_init");
  EXPECT_EQ(sent.at("event").at("token").at("serial"), "OATH0001");
  EXPECT_EQ(sent.at("tags").at("user"), "alice");
  EXPECT_EQ(sent.at("delivery"), "7");
  EXPECT_EQ(sink.content_types()[0], "application/json");
}

TEST_F(WebhookPlugin, AFailingTargetIsReportedAsUnavailable) {
  WebhookSink sink;
  auto action = registry_.create_instance(TESSERA_COMPONENT_NOTIFICATION_ACTION, "webhook", "hook",
                                          {{"url", sink.url() + "/broken"}});
  try {
    action->call(plugins::Operation::execute, {{"event", "x"}});
    FAIL() << "a 500 answer must fail the delivery";
  } catch (const plugins::PluginCallError& e) {
    EXPECT_EQ(e.status(), TESSERA_ERR_UNAVAILABLE);
    EXPECT_NE(std::string(e.what()).find("answered HTTP 500"), std::string::npos) << e.what();
  }
  // Nothing listens on port 1: the host's HTTP client reports why.
  auto unreachable =
      registry_.create_instance(TESSERA_COMPONENT_NOTIFICATION_ACTION, "webhook", "hook",
                                {{"url", "http://127.0.0.1:1/x"}, {"timeout_seconds", 2}});
  EXPECT_THROW(unreachable->call(plugins::Operation::execute, {}), plugins::PluginCallError);
}

// Loopback and link-local targets (the server itself, a cloud's metadata service) are refused
// unless an admin allows them; the address is checked where curl connects, so a name that
// resolves there (localhost) is refused as well. The fixture allows 127.0.0.0/8.
TEST_F(WebhookPlugin, LoopbackAndLinkLocalTargetsNeedTheAdminsAllowance) {
  WebhookSink sink;
  services_.http_allowed_networks.clear();
  const auto port = sink.url().substr(sink.url().rfind(':'));
  for (const std::string& url : std::vector<std::string>{
           sink.url() + "/hook", "http://localhost" + port + "/hook", "http://169.254.169.254/x"}) {
    auto action = registry_.create_instance(TESSERA_COMPONENT_NOTIFICATION_ACTION, "webhook",
                                            "hook", {{"url", url}, {"timeout_seconds", 2}});
    try {
      action->call(plugins::Operation::execute, {{"event", "x"}});
      FAIL() << url << " was reached";
    } catch (const plugins::PluginCallError& e) {
      EXPECT_NE(std::string(e.what()).find("plugins.http_allowed_networks"), std::string::npos)
          << url << ": " << e.what();
    }
  }
  EXPECT_TRUE(sink.bodies().empty());
  services_.http_allowed_networks = {"127.0.0.1"};
  auto allowed = registry_.create_instance(TESSERA_COMPONENT_NOTIFICATION_ACTION, "webhook", "hook",
                                           {{"url", sink.url() + "/hook"}});
  EXPECT_EQ(allowed->call(plugins::Operation::execute, {{"event", "x"}}).at("status"), 200);
  EXPECT_FALSE(plugins::outbound_address_allowed("::ffff:127.0.0.1", {}));
  EXPECT_FALSE(plugins::outbound_address_allowed("fe80::1", {}));
  EXPECT_TRUE(plugins::outbound_address_allowed("192.0.2.10", {}));
}

// A stand-in HTTP proxy: answers every connection with 200 "proxied" and counts them.
class CountingProxy {
 public:
  CountingProxy() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof addr;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), size) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &size) != 0)
      throw std::runtime_error("cannot listen");
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      for (int client; (client = ::accept(fd_, nullptr, nullptr)) >= 0;) {
        ++connections_;
        char buffer[4096];
        (void)::recv(client, buffer, sizeof buffer, 0);
        const std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nproxied";
        (void)::send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
        ::close(client);
      }
    });
  }
  ~CountingProxy() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_; }

 private:
  int fd_;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// The environment's proxy is never used (the guard would see only the proxy's address); a
// configured one is, and the destination is checked before anything is sent to it.
TEST(OutboundHttp, TheEnvironmentsProxyIsIgnoredAndAConfiguredOneCannotReachForbiddenPlaces) {
  CountingProxy proxy;
  for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy"})
    ::setenv(name, proxy.url().c_str(), 1);
  plugins::OutboundRequest request;
  request.allowed_networks = {"127.0.0.1"};  // the proxy's address
  request.timeout = std::chrono::milliseconds(3000);
  for (const std::string url : {"http://169.254.169.254/latest/meta-data/", "http://[::1]:9/x"}) {
    request.url = url;
    const auto direct = plugins::perform_http(request, 1 << 20);
    EXPECT_FALSE(direct.ok) << url << " answered " << direct.body;
    EXPECT_NE(direct.error.find("plugins may not reach"), std::string::npos) << direct.error;
    request.proxy = proxy.url();
    const auto proxied = plugins::perform_http(request, 1 << 20);
    EXPECT_FALSE(proxied.ok) << url << " answered " << proxied.body;
    EXPECT_NE(proxied.error.find("plugins may not reach"), std::string::npos) << proxied.error;
    request.proxy.clear();
  }
  EXPECT_EQ(proxy.connections(), 0);
  request.url = "http://192.0.2.10/allowed";  // TEST-NET-1: allowed, sent through the proxy
  request.proxy = proxy.url();
  const auto allowed = plugins::perform_http(request, 1 << 20);
  EXPECT_TRUE(allowed.ok) << allowed.error;
  EXPECT_EQ(allowed.body, "proxied");
  EXPECT_EQ(proxy.connections(), 1);
  for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy"})
    ::unsetenv(name);
}

// ABI 1.5: a plugin reads the response's headers (ACME's nonces and locations) and can trust a
// private CA for one request (the server's self-signed certificate here) instead of the system's.
TEST(OutboundHttp, ReturnsHeadersAndTrustsTheCaItIsGiven) {
  ServerProcess server({.tls = true});
  plugins::OutboundRequest request;
  request.url = server.url() + "/healthz";
  request.allowed_networks = {"127.0.0.1"};
  const auto untrusted = plugins::perform_http(request, 1 << 20);
  EXPECT_FALSE(untrusted.ok) << "the system does not trust a self-signed certificate";
  std::ifstream in(server.certificate_path());
  request.trusted_ca_pem.assign(std::istreambuf_iterator<char>(in), {});
  const auto trusted = plugins::perform_http(request, 1 << 20);
  ASSERT_TRUE(trusted.ok) << trusted.error;
  EXPECT_EQ(trusted.status, 200);
  EXPECT_NE(trusted.headers.find("Content-Type: application/json\r\n"), std::string::npos)
      << trusted.headers;
  EXPECT_EQ(trusted.headers.find("HTTP/"), std::string::npos) << "header lines only";
}

TEST_F(WebhookPlugin, ConfigurationIsCheckedAgainstTheSchema) {
  auto create = [&](const boost::json::object& config) {
    return registry_.create_instance(TESSERA_COMPONENT_NOTIFICATION_ACTION, "webhook", "hook",
                                     config);
  };
  try {
    create({});
    FAIL();
  } catch (const plugins::ComponentConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("parameter 'url' is required"), std::string::npos)
        << e.what();
  }
  try {
    create({{"url", "http://x"}, {"colour", "blue"}});
    FAIL();
  } catch (const plugins::ComponentConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown parameter 'colour'"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(create({{"url", "http://x"}, {"timeout_seconds", "ten"}}),
               plugins::ComponentConfigError);
  // The component's own check, reported through the barrier.
  try {
    create({{"url", "ftp://x"}});
    FAIL();
  } catch (const plugins::PluginCallError& e) {
    EXPECT_EQ(e.status(), TESSERA_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(e.what()).find("url must start with http:// or https://"),
              std::string::npos);
  }
  EXPECT_THROW(registry_.create_instance(TESSERA_COMPONENT_NOTIFICATION_ACTION, "sms", "x", {}),
               std::out_of_range);
}

TEST_F(WebhookPlugin, SecretParametersAreRedacted) {
  auto ref = registry_.find(TESSERA_COMPONENT_NOTIFICATION_ACTION, "webhook");
  ASSERT_TRUE(ref);
  auto redacted = plugins::redact_component_config(
      *ref->component, {{"url", "https://hooks.example/T0k3n"},
                        {"method", "PUT"},
                        {"headers", boost::json::array{"Authorization: Bearer s3cret"}}});
  EXPECT_EQ(redacted.at("headers"), "***");
  EXPECT_EQ(redacted.at("url"), "***") << "webhook URLs often carry a token";
  EXPECT_EQ(redacted.at("method"), "PUT");
}

TEST_F(WebhookPlugin, TheLibraryStaysLoadedWhileAnInstanceLives) {
  WebhookSink sink;
  std::shared_ptr<plugins::ComponentInstance> action;
  {
    auto registry = plugins::PluginRegistry::load({TESSERA_PLUGIN_DIR}, services_);
    action = registry.create_instance(TESSERA_COMPONENT_NOTIFICATION_ACTION, "webhook", "hook",
                                      {{"url", sink.url() + "/hook"}});
  }  // the registry is gone; the instance still holds the library
  EXPECT_EQ(action->call(plugins::Operation::execute, {{"event", "late"}}).at("status"), 200);
}

}  // namespace
}  // namespace tessera::testing
