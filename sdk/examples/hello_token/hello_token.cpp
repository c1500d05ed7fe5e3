// The SDK's example plugin: a trivial token type whose "secret" is a random six-digit code that
// can be used once. It shows the whole surface a token type uses: configuration parameters
// with defaults, the host's random bytes, its encrypted per-token store, logging, errors with
// a message, and the counter that lets the host refuse a replay.
#include <string>

#include <tessera/sdk/plugin.hpp>

namespace {

using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;
using tessera::sdk::Param;

std::string required_string(const boost::json::object& request, const char* key) {
  auto it = request.find(key);
  if (it == request.end() || !it->value().is_string() || it->value().as_string().empty())
    throw Error::invalid_argument(std::string("missing parameter '") + key + "'");
  return std::string(it->value().as_string().c_str());
}

class HelloToken : public tessera::sdk::TokenType {
 public:
  explicit HelloToken(const tessera::sdk::ComponentContext& context)
      : TokenType(context), greeting_(context.config.at("greeting").as_string().c_str()) {}

  static ComponentInfo describe() {
    return {"hello",
            "Hello token (SDK example)",
            {Param::string("greeting", "text shown with the code").defaults_to("\"hello\"")}};
  }

  boost::json::object enroll(const boost::json::object& request) override {
    const auto serial = required_string(request, "serial");
    const auto random = host().random_bytes(4);
    const uint32_t n = (uint32_t(random[0]) << 24 | uint32_t(random[1]) << 16 |
                        uint32_t(random[2]) << 8 | random[3]) %
                       1000000;
    std::string code = std::to_string(n);
    code.insert(0, 6 - code.size(), '0');
    host().store(serial).set_secret("code", code);
    host().info("enrolled hello token " + serial);  // never log the code itself
    // The host keeps "secret" sealed in its token row; this example keeps its code in the
    // plugin's own store instead, to show that store, so it hands the host no secret.
    return {{"otplen", 6}, {"detail", {{"code", code}, {"greeting", greeting_}}}};
  }

  // The code belongs to counter 0. A match names that counter, and the host accepts it at most
  // once: it then moves the token's counter to 1, so the code is spent (the host never stores a
  // counter below the one it asks with, and refuses an answer that names one).
  boost::json::object verify(const boost::json::object& request) override {
    const auto serial = required_string(request, "serial");
    const auto pass = required_string(request, "otp");
    auto code = host().store(serial).get("code");
    if (!code) throw Error::not_found("no hello token " + serial);
    const auto* counter = request.if_contains("counter");
    if (!counter || !counter->is_int64() || counter->get_int64() > 0) return {{"match", false}};
    if (!tessera::sdk::constant_time_equal(*code, pass)) return {{"match", false}};
    return {{"match", true}, {"counter", 0}};
  }

  // The token is gone: so is its code (ABI 1.4; optional, offered because it is overridden).
  boost::json::object deleted(const boost::json::object& request) override {
    host().store(required_string(request, "serial")).remove("code");
    return {};
  }

 private:
  std::string greeting_;
};

}  // namespace

TESSERA_PLUGIN("org.example.hello", "1.0.0", tessera::sdk::component<HelloToken>());
