// Listeners and the server's life cycle. Accept loops are coroutines on the I/O context; each
// accepted connection gets its own strand.
#include "server/http/http_server.hpp"

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>

#include "server/http/session.hpp"

namespace tessera::http {
namespace {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}  // namespace

struct HttpServer::Impl {
  HttpServerSettings options;
  // Before the I/O context: the sessions it still holds at destruction release their slots.
  ConnectionLimiter per_client{options.max_connections_per_client};
  asio::io_context io{static_cast<int>(options.io_threads)};
  asio::thread_pool workers{options.worker_threads};
  // /healthz and /metrics run here, so a load balancer's probe is answered while every worker
  // waits (on a plugin call, say).
  asio::thread_pool probes{1};
  // The TLS context of new connections; the ones it replaced stay alive with the server, since
  // open connections still use them (a reload is rare: a few kilobytes each).
  std::vector<std::unique_ptr<asio::ssl::context>> tls_contexts;
  std::atomic<asio::ssl::context*> tls{nullptr};
  std::function<void()> reload;
  SessionEnv env;
  struct Listener {
    tcp::acceptor acceptor;
    bool tls;
  };
  std::vector<std::unique_ptr<Listener>> listeners;
  // Accept loops, signals and the shutdown all run on this strand, so the acceptors are never
  // touched by two I/O threads at once.
  asio::strand<asio::io_context::executor_type> control{asio::make_strand(io)};
  asio::signal_set signals{io, SIGINT, SIGTERM};
  asio::signal_set reload_signal{io, SIGHUP};
  bool drained = false;

  Impl(HttpServerSettings o, const Router& router, api::Metrics& metrics)
      : options(std::move(o)),
        env{router,
            metrics,
            workers,
            probes,
            options.handlers_on_io_threads.value_or(options.io_threads - 1),
            options.max_body_bytes,
            options.read_timeout,
            options.idle_timeout} {}

  // A server context with the certificate and key of settings; throws when they are unusable.
  std::unique_ptr<asio::ssl::context> make_tls(const TlsConfig& settings) {
    auto made = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    auto& tls = *made;
    tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
    // Without a session id context, OpenSSL fails the resumption of a session whenever peer
    // verification is on (client_certificates: request).
    static constexpr unsigned char kSessionContext[] = "tessera";
    SSL_CTX_set_session_id_context(tls.native_handle(), kSessionContext,
                                   sizeof(kSessionContext) - 1);
    try {
      tls.use_certificate_chain_file(settings.certificate.string());
      tls.use_private_key_file(settings.private_key.string(), asio::ssl::context::pem);
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error("cannot use TLS certificate " + settings.certificate.string() +
                               " with key " + settings.private_key.string() + ": " + e.what());
    }
    if (settings.client_certificates == ClientCertificates::request) {
      // Ask for a client certificate but accept any (or none): certificate login decides later
      // whether the presented certificate is an enrolled one.
      tls.set_verify_mode(asio::ssl::verify_peer);
      tls.set_verify_callback([](bool, asio::ssl::verify_context&) { return true; });
    }
    return made;
  }

  void use_tls(std::unique_ptr<asio::ssl::context> context) {
    tls = context.get();
    tls_contexts.push_back(std::move(context));
  }

  void wait_for_reload() {
    reload_signal.async_wait(
        asio::bind_executor(control, [this](const boost::system::error_code& ec, int) {
          if (ec || env.stopping) return;
          spdlog::info("received SIGHUP: re-reading the configuration");
          // On a worker: reading files and parsing must not hold the I/O threads.
          asio::post(workers, [this] {
            if (reload) reload();
            asio::post(control, [this] { wait_for_reload(); });
          });
        }));
  }

  asio::awaitable<void> accept_loop(Listener& listener) {
    for (;;) {
      auto [ec, socket] = co_await listener.acceptor.async_accept(asio::make_strand(io), use_tuple);
      if (ec) {
        if (env.stopping || !listener.acceptor.is_open()) co_return;
        spdlog::warn("accept failed: {}", ec.message());
        // Out of file descriptors and similar: back off instead of spinning.
        asio::steady_timer pause(control, std::chrono::milliseconds(100));
        co_await pause.async_wait(use_tuple);
        continue;
      }
      boost::system::error_code endpoint_ec;
      const auto remote = socket.remote_endpoint(endpoint_ec);
      auto slot = endpoint_ec ? nullptr : per_client.admit(remote.address().to_string());
      if (!slot) {
        // Closed at once: one address may not hold every descriptor the server has.
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      if (listener.tls)
        start_tls_session(std::move(socket), *tls.load(), env, std::move(slot));
      else
        start_plain_session(std::move(socket), env, std::move(slot));
    }
  }

  void begin_shutdown() {
    if (env.stopping.exchange(true)) return;
    spdlog::info("shutting down: no new connections; waiting for {} request(s) in flight",
                 env.metrics.in_flight());
    for (auto& l : listeners) {
      boost::system::error_code ignored;
      l->acceptor.close(ignored);
    }
    asio::co_spawn(control, drain(), asio::detached);
  }

  void wait_for_signal() {
    signals.async_wait(
        asio::bind_executor(control, [this](const boost::system::error_code& ec, int signal) {
          if (ec) return;
          if (env.stopping) {
            // A second signal: the operator does not want to wait for the drain.
            spdlog::warn("received signal {} again: stopping now", signal);
            spdlog::shutdown();
            std::_Exit(1);
          }
          spdlog::info("received signal {}", signal);
          begin_shutdown();
          wait_for_signal();
        }));
  }

  asio::awaitable<void> drain() {
    const auto deadline = std::chrono::steady_clock::now() + options.shutdown_timeout;
    asio::steady_timer timer(control);
    while (env.metrics.in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(use_tuple);
    }
    drained = env.metrics.in_flight() == 0;
    if (!drained)
      spdlog::warn("shutdown timeout reached with {} request(s) still in flight",
                   env.metrics.in_flight());
    io.stop();
  }
};

HttpServer::HttpServer(HttpServerSettings options, const Router& router, api::Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {
  metrics.append([&env = impl_->env] {
    return fmt::format(
        "# HELP tessera_http_handlers_total Requests whose handler ran on the I/O thread that "
        "read them, or on a worker.\n"
        "# TYPE tessera_http_handlers_total counter\n"
        "tessera_http_handlers_total{{thread=\"io\"}} {}\n"
        "tessera_http_handlers_total{{thread=\"worker\"}} {}\n",
        env.handled_on_io_threads.load(std::memory_order_relaxed),
        env.handed_to_workers.load(std::memory_order_relaxed));
  });
}

HttpServer::~HttpServer() {
  impl_->workers.join();
  impl_->probes.join();
}

std::vector<std::string> HttpServer::bind() {
  bool any_tls = false;
  for (const auto& l : impl_->options.listen) any_tls = any_tls || l.tls;
  if (any_tls) impl_->use_tls(impl_->make_tls(impl_->options.tls));
  std::vector<std::string> urls;
  for (const auto& l : impl_->options.listen) {
    const auto where = fmt::format("{}:{}", l.address, l.port);
    try {
      tcp::endpoint endpoint(asio::ip::make_address(l.address), l.port);
      auto listener =
          std::make_unique<Impl::Listener>(Impl::Listener{tcp::acceptor(impl_->io), l.tls});
      listener->acceptor.open(endpoint.protocol());
      listener->acceptor.set_option(asio::socket_base::reuse_address(true));
      listener->acceptor.bind(endpoint);
      listener->acceptor.listen(asio::socket_base::max_listen_connections);
      auto bound = listener->acceptor.local_endpoint();
      auto host = bound.address().to_string();
      if (bound.address().is_v6()) host = fmt::format("[{}]", host);
      urls.push_back(fmt::format("{}://{}:{}", l.tls ? "https" : "http", host, bound.port()));
      impl_->listeners.push_back(std::move(listener));
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error("cannot listen on " + where + ": " + e.code().message());
    }
  }
  return urls;
}

void HttpServer::run() {
  const auto files = raise_open_file_limit();
  spdlog::info("up to {} open files; up to {} connections per client address", files,
               impl_->options.max_connections_per_client);
  for (auto& l : impl_->listeners)
    asio::co_spawn(impl_->control, impl_->accept_loop(*l), asio::detached);
  impl_->wait_for_signal();
  impl_->wait_for_reload();
  // Every I/O thread may be inside a handler when the server stops; the first to return tells
  // that the I/O context stopped, and the others are waited for only if nothing is in flight.
  std::mutex mutex;
  std::condition_variable returned;
  bool stopped = false;
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < impl_->options.io_threads; ++i)
    threads.emplace_back([&] {
      impl_->io.run();
      std::lock_guard lock(mutex);
      stopped = true;
      returned.notify_all();
    });
  {
    std::unique_lock lock(mutex);
    returned.wait(lock, [&] { return stopped; });
  }
  if (!impl_->drained) {
    // A handler is still blocked (a peer that does not answer), maybe on an I/O thread: waiting
    // for it would make the shutdown timeout meaningless.
    spdlog::error("server stopped with requests unfinished");
    spdlog::shutdown();
    std::_Exit(1);
  }
  for (auto& t : threads) t.join();
  impl_->workers.join();
  impl_->probes.join();
  spdlog::info("server stopped");
}

void HttpServer::on_reload(std::function<void()> reload) {
  impl_->reload = std::move(reload);
}

void HttpServer::reload_tls(const TlsConfig& tls) {
  if (!impl_->tls.load()) return;  // no TLS listener
  auto* made = impl_->make_tls(tls).release();
  // On the control strand, where the accept loops read it.
  asio::post(impl_->control,
             [this, made] { impl_->use_tls(std::unique_ptr<asio::ssl::context>(made)); });
}

void HttpServer::stop() {
  asio::post(impl_->control, [this] { impl_->begin_shutdown(); });
}

}  // namespace tessera::http
