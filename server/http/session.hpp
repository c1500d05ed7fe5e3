// One HTTP/1.1 connection, plain or TLS: reads requests with a body limit and timeouts, hands
// each to the router on the worker pool, writes the response, keeps the connection alive.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "server/api/metrics.hpp"
#include "server/http/connection_limits.hpp"
#include "server/http/router.hpp"

namespace tessera::http {

struct SessionEnv {
  const Router& router;
  api::Metrics& metrics;
  boost::asio::thread_pool& workers;
  boost::asio::thread_pool& probes;  // for /healthz and /metrics only
  size_t max_body_bytes;
  std::chrono::seconds read_timeout;
  std::chrono::seconds idle_timeout;
  std::atomic<bool> stopping{false};
};

// slot: the connection's place in the per-client count, held until the session ends.
void start_plain_session(boost::asio::ip::tcp::socket socket, SessionEnv& env,
                         std::unique_ptr<ConnectionLimiter::Slot> slot);
void start_tls_session(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls,
                       SessionEnv& env, std::unique_ptr<ConnectionLimiter::Slot> slot);

}  // namespace tessera::http
