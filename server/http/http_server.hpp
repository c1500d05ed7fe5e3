// The HTTP(S) server: listeners, I/O threads, the worker pool, a graceful shutdown on
// SIGTERM/SIGINT that lets in-flight requests finish, and SIGHUP for what can be re-read.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/api/metrics.hpp"
#include "server/config/server_config.hpp"
#include "server/http/router.hpp"

namespace tessera::http {

class HttpServer {
 public:
  // settings.tls must name a certificate and key when any listener uses TLS.
  HttpServer(HttpServerSettings settings, const Router& router, api::Metrics& metrics);
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
  // Runs reload on SIGHUP (systemctl reload), one at a time, while the server serves on.
  void on_reload(std::function<void()> reload);
  // New connections get this certificate and key from now on; connections already open keep
  // theirs. Throws std::runtime_error, and the one in use stays, when they are unusable.
  void reload_tls(const TlsConfig& tls);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::http
