// HOTP (RFC 4226): an event-based one-time password, HMAC of a counter that the token and the
// server advance together. The host stores the counter after the last accepted value and
// moves it forward only with a conditional update, so a value is never accepted twice.
#include <oath.hpp>
#include <tessera/sdk/plugin.hpp>

namespace {

using tessera::sdk::ComponentInfo;
namespace oath = tessera::oath;

class HotpToken : public tessera::sdk::TokenType {
 public:
  using TokenType::TokenType;

  static ComponentInfo describe() { return {"hotp", "HOTP event-based one-time password", {}}; }

  boost::json::object enroll(const boost::json::object& request) override {
    const auto& params = request.at("params").as_object();
    const auto options = oath::options_from_request(params);
    const bool generated = oath::wants_generated_seed(params);
    const auto seed = oath::seed_from_request(
        params,
        generated ? host().random_bytes(oath::default_seed_size(options.hash)) : oath::Bytes{});
    return oath::enrollment_result("hotp", request, seed, options, "counter=0", generated, {});
  }

  boost::json::object verify(const boost::json::object& request) override {
    const auto state = oath::token_key(request);
    const uint64_t next = oath::request_number(request, "counter");
    const uint64_t window = oath::request_number(request, "window");
    auto match = oath::find_counter(state.key, next, next + window, oath::text(request, "otp"),
                                    state.options.digits, state.options.hash);
    if (!match) return {{"match", false}};
    return {{"match", true}, {"counter", *match}};
  }

  // otp1 anywhere in the sync window, otp2 right after it.
  boost::json::object resync(const boost::json::object& request) override {
    const auto state = oath::token_key(request);
    const uint64_t next = oath::request_number(request, "counter");
    const uint64_t window = oath::request_number(request, "window");
    auto first = oath::find_counter(state.key, next, next + window, oath::text(request, "otp1"),
                                    state.options.digits, state.options.hash);
    if (!first) return {{"match", false}};
    auto second = oath::find_counter(state.key, *first + 1, *first + 1, oath::text(request, "otp2"),
                                     state.options.digits, state.options.hash);
    if (!second) return {{"match", false}};
    return {{"match", true}, {"counter", *second}};
  }
};

}  // namespace

TESSERA_PLUGIN("org.tessera.hotp", "0.1.0", tessera::sdk::component<HotpToken>());
