// The HTTP(S) server: listeners, I/O threads, the worker pool, and a graceful shutdown on
// SIGTERM/SIGINT that lets in-flight requests finish.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "server/api/metrics.hpp"
#include "server/config/server_config.hpp"
#include "server/http/router.hpp"

namespace tessera::http {

struct HttpServerOptions {
  std::vector<ListenConfig> listen;
  unsigned io_threads = 2;
  unsigned worker_threads = 4;
  size_t max_body_bytes = 1024 * 1024;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds shutdown_timeout{30};
  std::filesystem::path tls_certificate;  // needed when any listener has tls
  std::filesystem::path tls_private_key;
  ClientCertificates client_certificates = ClientCertificates::none;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, const Router& router, api::Metrics& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds every listener; returns their URLs (with the real port when 0 was asked for).
  // Throws std::runtime_error naming the address when a bind fails or TLS files are unusable.
  std::vector<std::string> bind();
  // Serves until SIGTERM/SIGINT or stop(), then waits for in-flight requests (up to the
  // shutdown timeout) and returns.
  void run();
  // Starts the graceful shutdown from any thread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::http
