#include "client/card/agent.hpp"

#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "client/card/card_enrollment.hpp"
#include "client/card/pkcs11_card.hpp"
#include "client/card/tessera_api.hpp"

namespace tessera::card {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// scheme://host[:port] of a URL: what a browser sends as Origin for its pages.
std::string origin_of(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const auto path = url.find('/', scheme_end + 3);
  return url.substr(0, path);
}

std::string random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : raw) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

std::string text(const boost::json::object& object, const char* key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

class Agent {
 public:
  explicit Agent(const AgentOptions& options)
      : options_(options),
        origin_(origin_of(options.server_url)),
        pairing_(random_hex(16)),
        module_(Pkcs11Module::load(options.module)) {}

  const std::string& pairing() const { return pairing_; }

  Response answer(const Request& request) {
    const std::string origin(request[http::field::origin]);
    Response response{http::status::ok, request.version()};
    response.set(http::field::content_type, "application/json");
    response.set(http::field::cache_control, "no-store");
    // Pages of other origins get nothing, not even the CORS headers that would let them read.
    if (!origin.empty() && origin != origin_)
      return refused(response, "this agent serves " + origin_);
    if (!origin.empty()) {
      response.set(http::field::access_control_allow_origin, origin_);
      response.set(http::field::vary, "Origin");
    }
    if (request.method() == http::verb::options) {
      if (origin.empty()) return refused(response, "a preflight comes from a page");
      response.result(http::status::no_content);
      response.set(http::field::access_control_allow_methods, "GET, POST");
      response.set(http::field::access_control_allow_headers,
                   "Content-Type, Authorization, X-Tessera-Pairing");
      response.set(http::field::access_control_max_age, "600");
      response.set("Access-Control-Allow-Private-Network", "true");
      return response;
    }
    const std::string pairing(request["X-Tessera-Pairing"]);
    if (pairing.size() != pairing_.size() ||
        CRYPTO_memcmp(pairing.data(), pairing_.data(), pairing_.size()) != 0)
      return refused(response, "the pairing secret is missing or wrong");
    boost::json::object body;
    if (!request.body().empty()) {
      boost::system::error_code ec;
      auto parsed = boost::json::parse(request.body(), ec);
      if (ec || !parsed.is_object())
        return failed(response, http::status::bad_request, "", "the body is no JSON object", "");
      body = parsed.as_object();
    }
    const std::string target(request.target());
    const TesseraApi api(options_.server_url, std::string(request[http::field::authorization]),
                         options_.cacert);
    try {
      if (request.method() == http::verb::get && target == "/cards") return cards(response);
      if (request.method() == http::verb::post && target == "/status")
        return status(response, api, body);
      if (request.method() == http::verb::post && target == "/begin")
        return begin(response, api, body);
      if (request.method() == http::verb::post && target == "/finish")
        return finish(response, api, body);
    } catch (const StepFailure& e) {
      return failed(response, http::status::ok, e.step, e.why, e.todo);
    } catch (const std::exception& e) {
      return failed(response, http::status::ok, "", e.what(), "");
    }
    return failed(response, http::status::not_found, "", "no such request", "");
  }

 private:
  static Response& refused(Response& response, const std::string& why) {
    response.result(http::status::forbidden);
    response.body() = boost::json::serialize(boost::json::object{{"error", why}});
    return response;
  }
  static Response& failed(Response& response, http::status status, const std::string& step,
                          const std::string& why, const std::string& todo) {
    response.result(status);
    response.body() =
        boost::json::serialize(boost::json::object{{"error", why}, {"step", step}, {"todo", todo}});
    return response;
  }
  static Response& ok(Response& response, const boost::json::object& body) {
    response.body() = boost::json::serialize(body);
    return response;
  }

  // The card of that label (or the only one).
  CardInfo card_named(const std::string& label) {
    try {
      return module_->find(label);
    } catch (const CardError& e) {
      throw StepFailure("finding the card", e.what(), "insert the card");
    }
  }

  Response& cards(Response& response) {
    boost::json::array list;
    for (const auto& card : module_->cards())
      list.push_back({{"label", card.label},
                      {"serial", card.serial},
                      {"manufacturer", card.manufacturer},
                      {"model", card.model},
                      {"user_pin_set", card.user_pin_set},
                      {"user_pin_locked", card.user_pin_locked}});
    return ok(response, {{"cards", list}});
  }

  // The certificates on a card and their tokens' state on the server (what the page's session
  // may see of them).
  Response& status(Response& response, const TesseraApi& api, const boost::json::object& body) {
    const auto card = card_named(text(body, "token_label"));
    boost::json::array list;
    for (const auto& certificate : module_->open(card.slot)->certificates()) {
      std::string state;
      try {
        state = token_state(api, certificate.id);
      } catch (const ApiFailure& e) {
        state = e.what();
      }
      list.push_back({{"label", certificate.label}, {"token", certificate.id}, {"state", state}});
    }
    return ok(response, {{"card", card.label}, {"certificates", list}});
  }

  Response& begin(Response& response, const TesseraApi& api, const boost::json::object& body) {
    BeginRequest request{text(body, "user"), text(body, "realm"), text(body, "ca"),
                         text(body, "profile"), text(body, "replaces")};
    auto started = begin_enrollment(api, request);
    const auto serial = text(started, "serial");
    {
      std::lock_guard lock(mutex_);
      started_[serial] = started;
    }
    // The enrollment code stays with the agent, which takes the next step.
    started.erase("enrollment_code");
    return ok(response, started);
  }

  Response& finish(Response& response, const TesseraApi& api, const boost::json::object& body) {
    const auto serial = text(body, "serial");
    boost::json::object started;
    {
      std::lock_guard lock(mutex_);
      const auto it = started_.find(serial);
      if (it == started_.end())
        throw StepFailure("finding the enrollment", "this agent began no enrollment " + serial,
                          "begin again");
      started = it->second;
      started_.erase(it);
    }
    const auto card = card_named(text(body, "token_label"));
    boost::json::array steps;
    const auto done =
        finish_enrollment(api, *module_, card, started, text(body, "pin"), text(body, "so_pin"),
                          [&](const std::string& step) { steps.push_back(step.c_str()); });
    return ok(response, {{"serial", done.serial},
                         {"state", done.state},
                         {"message", done.message},
                         {"steps", steps},
                         {"subject", done.subject},
                         {"certificate_serial", done.certificate_serial},
                         {"not_after", done.not_after}});
  }

  AgentOptions options_;
  std::string origin_, pairing_;
  std::shared_ptr<Pkcs11Module> module_;
  std::mutex mutex_;
  std::map<std::string, boost::json::object> started_;
};

}  // namespace

int run_agent(const AgentOptions& options) {
  Agent agent(options);
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(
      io, {asio::ip::make_address("127.0.0.1"), options.port});  // loopback only
  std::cout << "tessera-card agent for " << origin_of(options.server_url)
            << " on http://127.0.0.1:" << acceptor.local_endpoint().port()
            << "\npairing secret: " << agent.pairing() << "\n(enter it once in the WebUI)"
            << std::endl;
  // A thread per connection (a browser keeps its connections open); one request at a time
  // with the card.
  std::mutex one_at_a_time;
  for (;;) {
    asio::ip::tcp::socket accepted(io);
    beast::error_code refused;
    acceptor.accept(accepted, refused);
    if (refused) continue;
    std::thread([&agent, &one_at_a_time, socket = std::move(accepted)]() mutable {
      beast::flat_buffer buffer;
      beast::error_code ec;
      for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(64 * 1024);
        parser.header_limit(16 * 1024);
        http::read(socket, buffer, parser, ec);
        if (ec) break;
        const auto& request = parser.get();
        Response response;
        {
          std::lock_guard lock(one_at_a_time);
          response = agent.answer(request);
        }
        // The log says who asked for what and how it ended; never a body (PINs travel there).
        std::cerr << "agent: " << request.method_string() << " " << request.target() << " from "
                  << (request[http::field::origin].empty()
                          ? "no page"
                          : std::string(request[http::field::origin]))
                  << ": " << response.result_int() << std::endl;
        response.keep_alive(request.keep_alive());
        response.prepare_payload();
        http::write(socket, response, ec);
        if (ec || !response.keep_alive()) break;
      }
      socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    }).detach();
  }
}

}  // namespace tessera::card
