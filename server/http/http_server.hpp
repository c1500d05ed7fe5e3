// The HTTP(S) server: listeners, I/O threads, the worker pool, and a graceful shutdown on
// SIGTERM/SIGINT that lets in-flight requests finish.
#pragma once

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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::http
