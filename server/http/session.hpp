// One HTTP/1.1 connection, plain or TLS: reads requests with a body limit and timeouts, runs
// each through the router (on the I/O thread that read it while the bound allows, else on the
// worker pool), writes the response, keeps the connection alive.
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
  // At most this many I/O threads run a handler themselves at once; the others hand theirs to
  // the workers, so a slow handler (an LDAP server, a CA) never holds every I/O thread.
  unsigned handlers_on_io_threads;
  size_t max_body_bytes;
  std::chrono::seconds read_timeout;
  std::chrono::seconds idle_timeout;
  std::atomic<bool> stopping{false};
  std::atomic<unsigned> io_threads_in_handlers{0};
  std::atomic<unsigned long> handled_on_io_threads{0};
  std::atomic<unsigned long> handed_to_workers{0};
};

// slot: the connection's place in the per-client count, held until the session ends.
void start_plain_session(boost::asio::ip::tcp::socket socket, SessionEnv& env,
                         std::unique_ptr<ConnectionLimiter::Slot> slot);
void start_tls_session(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls,
                       SessionEnv& env, std::unique_ptr<ConnectionLimiter::Slot> slot);

}  // namespace tessera::http
