// The only translation unit that parses and writes HTTP with Beast (C++20 coroutines, one
// strand per connection).
#include "server/http/session.hpp"

#include <openssl/pem.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/crypto/openssl_ptr.hpp"

namespace tessera::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

HttpRequest to_request(bhttp::request<bhttp::string_body>&& req, const std::string& remote,
                       bool tls, const std::string& client_certificate) {
  HttpRequest r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  r.body = std::move(req.body());
  r.remote_address = remote;
  r.tls = tls;
  r.client_certificate_pem = client_certificate;
  return r;
}

bhttp::response<bhttp::string_body> to_beast(HttpResponse&& r, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
  res.set(bhttp::field::server, "Tessera");
  res.set(bhttp::field::content_type, r.content_type);
  res.set(bhttp::field::cache_control, "no-store");
  for (const auto& [name, value] : r.headers) res.set(name, value);
  res.body() = std::move(r.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

bool is_http_parse_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

HttpResponse parse_error_response(const beast::error_code& ec) {
  if (ec == bhttp::error::body_limit)
    return api::json_error(413, api::error_code::body_too_large,
                           "the request body is larger than this server accepts "
                           "(server.max_body_bytes)");
  if (ec == bhttp::error::header_limit)
    return api::json_error(431, api::error_code::malformed_request,
                           "the request headers are too large");
  if (ec == bhttp::error::buffer_overflow)
    return api::json_error(431, api::error_code::malformed_request,
                           "a request line, header, chunk header or trailer is longer than this "
                           "server accepts");
  return api::json_error(400, api::error_code::malformed_request,
                         "malformed HTTP request: " + ec.message());
}

// Counts a request as in flight from its header until its response is written, so that a
// graceful shutdown waits for it.
class InFlight {
 public:
  explicit InFlight(api::Metrics& metrics) : metrics_(metrics) { metrics_.request_started(); }
  ~InFlight() { metrics_.request_finished(); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  api::Metrics& metrics_;
};

// A place for one handler on an I/O thread, if fewer than env.handlers_on_io_threads hold one:
// running the handler where its request was read saves two thread switches per request.
class IoThreadHandlerSlot {
 public:
  explicit IoThreadHandlerSlot(SessionEnv& env) : env_(env) {
    auto in_handlers = env.io_threads_in_handlers.load(std::memory_order_relaxed);
    while (in_handlers < env.handlers_on_io_threads &&
           !env.io_threads_in_handlers.compare_exchange_weak(in_handlers, in_handlers + 1)) {
    }
    held_ = in_handlers < env.handlers_on_io_threads;
  }
  ~IoThreadHandlerSlot() {
    if (held_) env_.io_threads_in_handlers.fetch_sub(1);
  }
  IoThreadHandlerSlot(const IoThreadHandlerSlot&) = delete;
  IoThreadHandlerSlot& operator=(const IoThreadHandlerSlot&) = delete;
  explicit operator bool() const { return held_; }

 private:
  SessionEnv& env_;
  bool held_ = false;
};

// Everything the parser has not consumed yet (a header, a chunk header with its extensions, a
// trailer) must fit in this much: the body goes straight into the request as it is parsed, so
// only a line without its end can fill the buffer, and then the request is refused.
constexpr size_t kMaxHeaderBytes = 16 * 1024;
constexpr size_t kMaxBufferedBytes = kMaxHeaderBytes + 8 * 1024;

template <class Stream>
asio::awaitable<void> serve(Stream& stream, SessionEnv& env, std::string remote, bool tls,
                            std::string client_certificate) {
  beast::flat_buffer buffer(kMaxBufferedBytes);
  bool first = true;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(env.max_body_bytes);
    parser.header_limit(kMaxHeaderBytes);
    // A new connection gets the read timeout for its first request; a kept-alive one may idle
    // a little longer between requests.
    beast::get_lowest_layer(stream).expires_after(first ? env.read_timeout : env.idle_timeout);
    auto [ec, header_bytes] = co_await bhttp::async_read_header(stream, buffer, parser, use_tuple);
    if (ec && !is_http_parse_error(ec)) co_return;  // closed, timed out or reset

    InFlight in_flight(env.metrics);
    const auto started = std::chrono::steady_clock::now();
    if (!ec && !parser.is_done()) {
      beast::get_lowest_layer(stream).expires_after(env.read_timeout);
      std::tie(ec, std::ignore) = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
      if (ec && !is_http_parse_error(ec)) co_return;
    }

    HttpResponse response;
    bool keep_alive = false;
    unsigned version = 11;
    if (ec) {
      response = parse_error_response(ec);
      response.route = "invalid";
    } else {
      auto& req = parser.get();
      keep_alive = req.keep_alive();
      version = req.version();
      auto request = to_request(parser.release(), remote, tls, client_certificate);
      // Handlers block (database, crypto, peers). One runs on this I/O thread while the bound
      // allows; otherwise on the worker pool, and the coroutine resumes on the connection's
      // strand afterwards. Probes have a pool of their own, so they are answered while every
      // worker is busy.
      const bool probe = request.target == "/healthz" || request.target == "/metrics";
      bool handled = false;
      if (!probe) {
        if (IoThreadHandlerSlot slot(env); slot) {
          env.handled_on_io_threads.fetch_add(1, std::memory_order_relaxed);
          response = env.router.handle(request);
          handled = true;
        } else {
          env.handed_to_workers.fetch_add(1, std::memory_order_relaxed);
        }
      }
      if (!handled)
        response = co_await asio::co_spawn(
            probe ? env.probes.get_executor() : env.workers.get_executor(),
            [&]() -> asio::awaitable<HttpResponse> { co_return env.router.handle(request); },
            asio::use_awaitable);
    }
    if (response.close || env.stopping) keep_alive = false;

    const int status = response.status;
    const std::string route = response.route;
    auto res = to_beast(std::move(response), version, keep_alive);
    beast::get_lowest_layer(stream).expires_after(env.read_timeout);
    auto [write_ec, written] = co_await bhttp::async_write(stream, res, use_tuple);
    env.metrics.record(
        route, status,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (write_ec || !keep_alive) co_return;
    first = false;
  }
}

std::string remote_of(const tcp::socket& socket) {
  beast::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string() : endpoint.address().to_string();
}

std::string peer_certificate_pem(SSL* ssl) {
  crypto::X509Ptr cert(SSL_get1_peer_certificate(ssl));
  if (!cert) return {};
  crypto::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert.get()) != 1) return {};
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

asio::awaitable<void> run_plain(tcp::socket socket, SessionEnv& env,
                                std::unique_ptr<ConnectionLimiter::Slot>) {
  auto remote = remote_of(socket);
  beast::tcp_stream stream(std::move(socket));
  co_await serve(stream, env, remote, false, {});
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> run_tls(tcp::socket socket, asio::ssl::context& tls, SessionEnv& env,
                              std::unique_ptr<ConnectionLimiter::Slot>) {
  auto remote = remote_of(socket);
  beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), tls);
  beast::get_lowest_layer(stream).expires_after(env.read_timeout);
  auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
  if (ec) co_return;
  co_await serve(stream, env, remote, true, peer_certificate_pem(stream.native_handle()));
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
  co_await stream.async_shutdown(use_tuple);
}

void log_failure(std::exception_ptr error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    spdlog::error("connection ended by an unexpected error: {}", e.what());
  }
}

}  // namespace

void start_plain_session(tcp::socket socket, SessionEnv& env,
                         std::unique_ptr<ConnectionLimiter::Slot> slot) {
  auto executor = socket.get_executor();
  asio::co_spawn(executor, run_plain(std::move(socket), env, std::move(slot)), log_failure);
}

void start_tls_session(tcp::socket socket, asio::ssl::context& tls, SessionEnv& env,
                       std::unique_ptr<ConnectionLimiter::Slot> slot) {
  auto executor = socket.get_executor();
  asio::co_spawn(executor, run_tls(std::move(socket), tls, env, std::move(slot)), log_failure);
}

}  // namespace tessera::http
