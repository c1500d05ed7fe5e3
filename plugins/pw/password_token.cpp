// Password tokens (privacyIDEA's and eduMFA's "pw"): a fixed password checked after the PIN, as
// the temporary replacement for a lost token (/token/lost/<serial>), which the server makes with
// a random password and a short validity period. The password is the sealed secret; it is
// compared in constant time.
#include <tessera/sdk/constant_time.hpp>
#include <tessera/sdk/plugin.hpp>

namespace {

using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;

std::string text(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

class PasswordToken : public tessera::sdk::TokenType {
 public:
  using TokenType::TokenType;

  static ComponentInfo describe() {
    return {"pw", "a fixed password after the PIN (the temporary token for a lost one)", {}};
  }

  boost::json::object enroll(const boost::json::object& request) override {
    const auto password = text(request.at("params").as_object(), "otpkey");
    if (password.size() < 8 || password.size() > 12)
      throw Error::invalid_argument("a password token's password (otpkey) has 8 to 12 characters");
    return {{"secret", password},
            {"otplen", static_cast<int64_t>(password.size())},
            {"info", {{"tokenkind", "software"}}},
            {"detail", boost::json::object{}}};
  }

  // The same password every time: it matches at the token's current counter.
  boost::json::object verify(const boost::json::object& request) override {
    const auto secret = text(request, "secret");
    const auto otp = text(request, "otp");
    if (secret.empty() || !tessera::sdk::constant_time_equal(secret, otp))
      return {{"match", false}};
    const auto* counter = request.if_contains("counter");
    return {{"match", true}, {"counter", counter ? *counter : boost::json::value(0)}};
  }
};

}  // namespace

TESSERA_PLUGIN("org.tessera.pw", "0.1.0", tessera::sdk::component<PasswordToken>());
