// The real binary over real HTTP(S) on loopback: envelope, errors, limits, keep-alive, TLS,
// metrics and graceful shutdown.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <iterator>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "server/crypto/self_signed_certificate.hpp"
#include "server/http/http_server.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_http_client.hpp"

namespace tessera::testing {
namespace {

boost::json::object json_of(const TestResponse& r) {
  return boost::json::parse(r.body).as_object();
}

int error_code_of(const TestResponse& r) {
  return static_cast<int>(json_of(r).at("result").at("error").at("code").as_int64());
}

// A raw TCP connection, for what an HTTP library will not send.
class RawConnection {
 public:
  // from: the local address to connect from (any of 127/8 reaches the server).
  explicit RawConnection(int port, const char* from = nullptr)
      : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (from) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      inet_pton(AF_INET, from, &local.sin_addr);
      if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0)
        throw std::runtime_error("bind failed");
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
      throw std::runtime_error("connect failed");
    timeval tv{20, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~RawConnection() { ::close(fd_); }
  // Sends up to total bytes of filler after a prefix, until the server stops taking them;
  // returns how many were taken.
  size_t send_endless(const std::string& prefix, size_t total, char filler) {
    send(prefix);
    const std::string block(64 * 1024, filler);
    size_t sent = 0;
    while (sent < total) {
      const auto n = ::send(fd_, block.data(), block.size(), MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += size_t(n);
    }
    ::shutdown(fd_, SHUT_WR);
    return sent;
  }
  void send(const std::string& data) {
    ASSERT_EQ(::send(fd_, data.data(), data.size(), MSG_NOSIGNAL), ssize_t(data.size()));
  }
  // Whether the server closed the connection within the time given.
  bool closed_within(int milliseconds) {
    timeval tv{0, milliseconds * 1000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char c;
    const auto n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }
  // Reads until the peer closes or the timeout passes.
  std::string read_all() {
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd_, buf, sizeof(buf), 0)) > 0;) out.append(buf, size_t(n));
    return out;
  }

 private:
  int fd_;
};

TEST(HttpServer, HealthzAnswersInTheEduMfaEnvelope) {
  ServerProcess server;
  TestHttpClient client;
  auto r = client.get(server.url() + "/healthz");
  ASSERT_EQ(r.status, 200) << r.error << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  auto body = json_of(r);
  EXPECT_EQ(body.at("jsonrpc"), "2.0");
  EXPECT_EQ(body.at("id"), 1);
  EXPECT_TRUE(body.at("version").as_string().starts_with("Tessera "));
  EXPECT_TRUE(body.at("time").is_double());
  EXPECT_EQ(body.at("result").at("status"), true);
  EXPECT_EQ(body.at("result").at("value").at("database"), "ok");
}

TEST(HttpServer, UnknownRouteAndWrongMethodGetClearErrors) {
  ServerProcess server;
  TestHttpClient client;
  auto missing = client.get(server.url() + "/no/such/endpoint");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(error_code_of(missing), 601);
  EXPECT_NE(
      json_of(missing).at("result").at("error").at("message").as_string().find("/no/such/endpoint"),
      std::string::npos);
  auto wrong_method = client.request("DELETE", server.url() + "/healthz", "", "");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(json_of(wrong_method).at("result").at("status"), false);
}

TEST(HttpServer, MalformedJsonAndWrongContentTypeAreRefused) {
  ServerProcess server;
  TestHttpClient client;
  // GET /healthz accepts parameters like every endpoint, so it parses bodies too.
  auto bad_json =
      client.request("GET", server.url() + "/healthz", "{\"user\": ", "application/json");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(error_code_of(bad_json), 905);
  auto wrong_type = client.request("GET", server.url() + "/healthz", "hello", "text/plain");
  EXPECT_EQ(wrong_type.status, 415);
  EXPECT_NE(
      json_of(wrong_type).at("result").at("error").at("message").as_string().find("text/plain"),
      std::string::npos);
}

TEST(HttpServer, OversizedBodyGets413) {
  ServerProcess server({.server_extra = "  max_body_bytes: 2048\n"});
  TestHttpClient client;
  auto r = client.request("GET", server.url() + "/healthz", std::string(4096, 'x'), "text/plain");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(error_code_of(r), 4130);
  // The server stays up for the next client.
  TestHttpClient next;
  EXPECT_EQ(next.get(server.url() + "/healthz").status, 200);
}

// An endless chunk extension or trailer fills no memory: the line is refused once it outgrows
// the read buffer, and the connection is closed.
TEST(HttpServer, EndlessChunkExtensionsAndTrailersAreRefusedWithoutBuffering) {
  ServerProcess server;
  TestHttpClient warm;
  ASSERT_EQ(warm.get(server.url() + "/healthz").status, 200);
  const long before = server.resident_kib();
  const std::string head =
      "POST /auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  for (const std::string& start : {head + "1;", head + "0\r\nX-Trailer: "}) {
    RawConnection raw(server.port());
    const size_t taken = raw.send_endless(start, 64u << 20, 'a');
    EXPECT_LT(taken, size_t(64u << 20)) << "the server read all of it";
    const auto reply = raw.read_all();
    if (!reply.empty()) {
      EXPECT_TRUE(reply.starts_with("HTTP/1.1 431")) << reply.substr(0, 200);
    }
  }
  const long after = server.resident_kib();
  EXPECT_LT(after - before, 16 * 1024) << "RSS grew from " << before << " to " << after << " KiB";
  TestHttpClient next;
  EXPECT_EQ(next.get(server.url() + "/healthz").status, 200);
}

// Slow clients: the soft limit on open files is raised to the hard one at start, and one client
// address holds at most server.max_connections_per_client connections, so probes and logins
// from others are still answered.
class FileLimit {
 public:
  explicit FileLimit(rlim_t soft) {
    getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit changed = saved_;
    changed.rlim_cur = std::min(soft, saved_.rlim_max);
    setrlimit(RLIMIT_NOFILE, &changed);
  }
  ~FileLimit() { setrlimit(RLIMIT_NOFILE, &saved_); }

 private:
  rlimit saved_{};
};

TEST(HttpServer, ElevenHundredSlowClientsLeaveTheServerAnswering) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_max < 2400) GTEST_SKIP() << "the hard limit on open files is below 2400";
  std::unique_ptr<ServerProcess> server;
  {
    FileLimit common(1024);  // the server starts with the common soft limit
    server = std::make_unique<ServerProcess>(
        ServerOptions{.server_extra = "  max_connections_per_client: 5000\n"});
  }
  FileLimit ours(4096);  // this test's own 1,100 sockets
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 1100; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server->port(), "127.0.0.2"));
    slow.back()->send("GET /healthz HTTP/1.1\r\n");  // and never the rest
  }
  int answered = 0;
  for (int i = 0; i < 15; ++i) {
    TestHttpClient probe;
    answered += probe.get(server->url() + "/healthz").status == 200;
  }
  EXPECT_EQ(answered, 15);
  EXPECT_NE(server->err().find("open files"), std::string::npos) << server->err();
}

TEST(HttpServer, OneClientAddressHoldsAtMostItsShareOfConnections) {
  ServerProcess server({.server_extra = "  max_connections_per_client: 100\n"});
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 130; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server.port(), "127.0.0.2"));
    slow.back()->send("GET /healthz HTTP/1.1\r\n");
  }
  int closed = 0;
  for (auto& c : slow) closed += c->closed_within(50);
  EXPECT_EQ(closed, 30) << "the connections beyond 100 are closed at once";
  TestHttpClient other;
  EXPECT_EQ(other.get(server.url() + "/healthz").status, 200) << "another address is served";
}

TEST(HttpServer, MalformedHttpGets400) {
  ServerProcess server;
  RawConnection raw(server.port());
  raw.send("THIS IS NOT HTTP\r\n\r\n");
  auto reply = raw.read_all();
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 400")) << reply;
}

TEST(HttpServer, KeepsConnectionsAlive) {
  ServerProcess server;
  TestHttpClient client;
  auto first = client.get(server.url() + "/healthz");
  auto second = client.get(server.url() + "/healthz");
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(first.new_connections, 1);
  EXPECT_EQ(second.new_connections, 0) << "the second request should reuse the connection";
}

TEST(HttpServer, ClosesIdleConnectionsAfterTheReadTimeout) {
  ServerProcess server({.server_extra = "  read_timeout_seconds: 1\n"});
  RawConnection raw(server.port());
  const auto start = std::chrono::steady_clock::now();
  auto reply = raw.read_all();  // we send nothing; the server must hang up
  EXPECT_TRUE(reply.empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(HttpServer, ServesHttpsWithItsSelfSignedCertificateOnTls12AndUp) {
  ServerProcess server({.tls = true});
  ASSERT_TRUE(server.url().starts_with("https://"));
  const auto certificate = server.certificate_path();
  ASSERT_FALSE(certificate.empty()) << server.out();
  TestHttpClient client;
  client.trust(certificate);
  auto r = client.get(server.url() + "/healthz");
  ASSERT_EQ(r.status, 200) << r.error;
  // Without trusting the certificate, verification fails: it is really checked.
  TestHttpClient untrusting;
  EXPECT_EQ(untrusting.get(server.url() + "/healthz").status, 0);
  TestHttpClient old;
  old.trust(certificate);
  old.only_tls_1_1();
  auto refused = old.get(server.url() + "/healthz");
  EXPECT_EQ(refused.status, 0) << "TLS 1.1 must be refused";
  TestHttpClient tls12;
  tls12.trust(certificate);
  tls12.only_tls_1_2();
  EXPECT_EQ(tls12.get(server.url() + "/healthz").status, 200) << "the same client on TLS 1.2 works";
}

// systemctl reload (SIGHUP): a new certificate (for new connections) and log level are taken
// while the server serves; what needs a restart is named; a broken file changes nothing.
TEST(HttpServer, SighupTakesANewCertificateAndLogLevelAndRefusesABrokenFile) {
  ServerProcess server({.tls = true});
  const auto eventually = [](const auto& done) {
    for (int i = 0; i < 100 && !done(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return done();
  };
  const auto first = server.certificate_path();
  const auto dir = server.dir();
  const auto certificate = (dir / "renewed.crt").string();
  const auto key = (dir / "renewed.key").string();
  ASSERT_EQ(std::system(("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                         "-days 30 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
                         "-keyout " +
                         key + " -out " + certificate + " 2>/dev/null")
                            .c_str()),
            0);
  const auto config_file = dir / "tessera.yaml";
  std::string config;
  {
    std::ifstream in(config_file);
    config.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto edited = [&](const std::string& server_lines) {
    auto text = config;
    text.insert(text.find("server:\n") + 8, server_lines);
    return text + "log: { level: debug }\n";
  };
  std::ofstream(config_file) << edited("  tls: { certificate: " + certificate +
                                       ", private_key: " + key + " }\n");
  server.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return server.err().find("reloaded ") != std::string::npos; }))
      << server.err();
  EXPECT_NE(server.err().find("log level debug, TLS certificate " + certificate), std::string::npos)
      << server.err();
  TestHttpClient renewed;
  renewed.trust(certificate);
  EXPECT_EQ(renewed.get(server.url() + "/healthz").status, 200) << "new connections: new one";
  TestHttpClient old;
  old.trust(first);
  EXPECT_EQ(old.get(server.url() + "/healthz").status, 0) << "the first one is no longer served";

  std::ofstream(config_file) << "server: [\n";
  server.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] {
    return server.err().find("reload refused, the running configuration stays") !=
           std::string::npos;
  })) << server.err();
  EXPECT_EQ(renewed.get(server.url() + "/healthz").status, 200) << "still serving as before";

  auto restart_only =
      edited("  tls: { certificate: " + certificate + ", private_key: " + key + " }\n");
  restart_only.replace(restart_only.find("io_threads: 2"), 13, "io_threads: 3");
  std::ofstream(config_file) << restart_only;
  server.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] {
    return server.err().find(
               "changed, but read only at start (restart to apply): "
               "server.io_threads") != std::string::npos;
  })) << server.err();
  EXPECT_TRUE(server.running());
}

TEST(HttpServer, RequestsClientCertificatesWithoutRequiringThem) {
  // In process, with a route that says what the session saw of the client's certificate.
  auto dir = make_temp_dir("tessera-client-cert");
  auto server_files = crypto::ensure_self_signed_certificate(dir / "server");
  auto client_files = crypto::ensure_self_signed_certificate(dir / "client");
  http::Router router;
  router.add("GET", "/whoami", [](http::RequestContext& c) {
    return http::HttpResponse{200, "text/plain",
                              c.request.client_certificate_pem.empty() ? "none" : "certificate"};
  });
  api::Metrics metrics;
  HttpServerSettings settings{
      .listen = {{"127.0.0.1", 0, true}}, .io_threads = 1, .worker_threads = 1};
  settings.tls = {server_files.certificate, server_files.private_key, ClientCertificates::request};
  http::HttpServer server(settings, router, metrics);
  const auto url = server.bind().front();
  std::thread thread([&] { server.run(); });

  TestHttpClient with_certificate;
  with_certificate.trust(server_files.certificate.string());
  with_certificate.client_certificate(client_files.certificate.string(),
                                      client_files.private_key.string());
  with_certificate.new_connection_each_time();
  auto first = with_certificate.get(url + "/whoami");
  EXPECT_EQ(first.body, "certificate")
      << first.error << " (any client certificate is accepted at the TLS layer)";
  auto resumed = with_certificate.get(url + "/whoami");
  EXPECT_EQ(resumed.status, 200) << resumed.error << ": a resumed session must work";
  EXPECT_EQ(resumed.new_connections, 1);
  TestHttpClient without_certificate;
  without_certificate.trust(server_files.certificate.string());
  EXPECT_EQ(without_certificate.get(url + "/whoami").body, "none");

  server.stop();
  thread.join();
  std::filesystem::remove_all(dir);
}

TEST(HttpServer, HandlersRunOnIoThreadsWithinTheirBoundSoASlowOneNeverHoldsThemAll) {
  // Two I/O threads, of which one may run handlers (the default: all but one). Two slow
  // requests at once take that place and a worker; a third request is still read and answered
  // by the other I/O thread. Were both I/O threads allowed in handlers, it would wait.
  http::Router router;
  std::mutex mutex;
  std::condition_variable changed;
  int slow_waiting = 0;
  bool release = false;
  router.add("GET", "/slow", [&](http::RequestContext&) {
    std::unique_lock lock(mutex);
    ++slow_waiting;
    changed.notify_all();
    changed.wait(lock, [&] { return release; });
    return http::HttpResponse{200, "text/plain", "slow"};
  });
  router.add("GET", "/fast", [](http::RequestContext&) {
    return http::HttpResponse{200, "text/plain", "fast"};
  });
  api::Metrics metrics;
  HttpServerSettings settings{
      .listen = {{"127.0.0.1", 0, false}}, .io_threads = 2, .worker_threads = 2};
  http::HttpServer server(settings, router, metrics);
  const auto url = server.bind().front();
  std::thread serving([&] { server.run(); });
  auto finish = [&] {
    {
      std::lock_guard lock(mutex);
      release = true;
    }
    changed.notify_all();
  };

  TestHttpClient client;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client.get(url + "/fast").body, "fast");
  auto figures = metrics.render();
  EXPECT_NE(figures.find("tessera_http_handlers_total{thread=\"io\"} 5\n"), std::string::npos)
      << "one request at a time runs where it was read: " << figures;

  TestResponse slow[2];
  std::thread first([&] { slow[0] = TestHttpClient().get(url + "/slow"); });
  std::thread second([&] { slow[1] = TestHttpClient().get(url + "/slow"); });
  bool both_in = false;
  {
    std::unique_lock lock(mutex);
    both_in = changed.wait_for(lock, std::chrono::seconds(10), [&] { return slow_waiting == 2; });
  }
  EXPECT_TRUE(both_in) << "both slow requests must reach their handler";
  const auto fast = client.get(url + "/fast");
  EXPECT_EQ(fast.body, "fast") << fast.error << ": an I/O thread must stay free";
  finish();
  first.join();
  second.join();
  EXPECT_EQ(slow[0].body, "slow");
  EXPECT_EQ(slow[1].body, "slow");
  figures = metrics.render();
  EXPECT_NE(figures.find("tessera_http_handlers_total{thread=\"io\"} 6\n"), std::string::npos)
      << figures;
  EXPECT_NE(figures.find("tessera_http_handlers_total{thread=\"worker\"} 2\n"), std::string::npos)
      << "the second slow request and the fast one went to the workers: " << figures;
  server.stop();
  serving.join();
}

TEST(HttpServer, HandlersOnIoThreadsCanBeTurnedOff) {
  http::Router router;
  router.add("GET", "/fast", [](http::RequestContext&) {
    return http::HttpResponse{200, "text/plain", "fast"};
  });
  api::Metrics metrics;
  HttpServerSettings settings{
      .listen = {{"127.0.0.1", 0, false}}, .io_threads = 2, .worker_threads = 2};
  settings.handlers_on_io_threads = 0;
  http::HttpServer server(settings, router, metrics);
  const auto url = server.bind().front();
  std::thread serving([&] { server.run(); });
  TestHttpClient client;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client.get(url + "/fast").body, "fast");
  const auto figures = metrics.render();
  EXPECT_NE(figures.find("tessera_http_handlers_total{thread=\"io\"} 0\n"), std::string::npos)
      << figures;
  EXPECT_NE(figures.find("tessera_http_handlers_total{thread=\"worker\"} 3\n"), std::string::npos)
      << figures;
  server.stop();
  serving.join();
}

// Runs a shell command; returns its standard output.
std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  for (size_t n; pipe && (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  if (pipe) pclose(pipe);
  return out;
}

TEST(HttpServer, ServesTheWebUiGzippedToClientsThatTakeIt) {
  const auto webui = make_temp_dir("tessera-webui-files");
  std::filesystem::create_directories(webui / "assets");
  std::string script;
  for (int i = 0; i < 2000; ++i) script += "console.log('line " + std::to_string(i) + "');\n";
  std::ofstream(webui / "index.html") << "<!doctype html><title>Tessera</title>";
  std::ofstream(webui / "assets" / "app-1234.js") << script;
  ServerProcess server({.server_extra = "  webui_dir: " + webui.string() + "\n"});
  const auto dir = server.dir();
  const auto url = server.url() + "/assets/app-1234.js";
  const auto gzipped =
      run("curl -s -D " + (dir / "h1").string() + " -H 'Accept-Encoding: br, gzip' -o " +
          (dir / "app.js.gz").string() + " " + url + " && cat " + (dir / "h1").string());
  EXPECT_NE(gzipped.find("Content-Encoding: gzip"), std::string::npos) << gzipped;
  EXPECT_NE(gzipped.find("Vary: Accept-Encoding"), std::string::npos) << gzipped;
  EXPECT_LT(std::filesystem::file_size(dir / "app.js.gz"), script.size() / 4);
  EXPECT_EQ(run("gzip -dc " + (dir / "app.js.gz").string()), script);
  // Without gzip in Accept-Encoding (or refused with q=0): the file as it is.
  for (const char* accept : {"", " -H 'Accept-Encoding: gzip;q=0, identity'"}) {
    const auto plain = run("curl -s -D - -o " + (dir / "app.js").string() + accept + " " + url);
    EXPECT_EQ(plain.find("Content-Encoding"), std::string::npos) << plain;
    EXPECT_EQ(run("cat " + (dir / "app.js").string()), script);
  }
  std::filesystem::remove_all(webui);
}

TEST(HttpServer, ExposesPrometheusMetrics) {
  ServerProcess server;
  TestHttpClient client;
  for (int i = 0; i < 3; ++i) client.get(server.url() + "/healthz");
  client.get(server.url() + "/missing");
  auto r = client.get(server.url() + "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.content_type.starts_with("text/plain"));
  EXPECT_NE(r.body.find("tessera_http_requests_total{route=\"/healthz\",status=\"200\"} 3"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("tessera_http_requests_total{route=\"unmatched\",status=\"404\"} 1"),
            std::string::npos);
  EXPECT_NE(r.body.find("tessera_http_request_duration_seconds_count{route=\"/healthz\"} 3"),
            std::string::npos);
  EXPECT_NE(r.body.find("tessera_http_requests_in_flight 1"), std::string::npos)
      << "the /metrics request itself is in flight";
}

TEST(HttpServer, ShutdownOnSigtermLetsTheRequestInFlightFinish) {
  ServerProcess server;
  RawConnection raw(server.port());
  const std::string body = "{\"a\": \"0123456789\"}";
  raw.send(
      "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 5));
  // Wait until the server has read the header: /metrics then counts two requests in flight
  // (the pending one and the /metrics request itself).
  TestHttpClient observer;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (observer.get(server.url() + "/metrics").body.find("tessera_http_requests_in_flight 2") ==
         std::string::npos) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the header was never read";
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  server.signal(SIGTERM);
  // New connections are refused once the listener is closed; the server keeps running meanwhile.
  TestHttpClient late;
  while (late.get(server.url() + "/healthz").status != 0) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the listener was never closed";
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(server.running()) << "the server must wait for the request in flight";
  raw.send(body.substr(5));
  auto reply = raw.read_all();
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 200")) << reply;
  EXPECT_NE(reply.find("Connection: close"), std::string::npos);
  EXPECT_EQ(server.wait_exit(), 0);
  EXPECT_NE(server.err().find("server stopped"), std::string::npos);
}

}  // namespace
}  // namespace tessera::testing
