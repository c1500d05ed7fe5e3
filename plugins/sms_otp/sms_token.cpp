// SMS OTP (eduMFA's "sms" token): as the e-mail token, an HOTP whose values reach the user in a
// message, here a short text to a phone: the token's own number (parameter phone at
// enrollment, kept as its info "phone") or else the owner's mobile number. The host sends it
// through the notification action that the authentication policy challenge_notification names
// for sms tokens (an HTTP SMS gateway, notify_sms_http).
#include <oath.hpp>
#include <tessera/sdk/plugin.hpp>

namespace {

using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;
namespace oath = tessera::oath;

class SmsToken : public tessera::sdk::TokenType {
 public:
  using TokenType::TokenType;

  static ComponentInfo describe() {
    return {"sms",
            "one-time password sent by SMS (needs policy challenge_notification, e.g. "
            "sms:<gateway>)",
            {}};
  }

  boost::json::object enroll(const boost::json::object& request) override {
    const auto& params = request.at("params").as_object();
    if (params.contains("otpkey"))
      throw Error::invalid_argument("the key of an sms token is made by the server (no otpkey)");
    const auto options = oath::options_from_request(params);
    const auto phone = oath::text(params, "phone");
    if (phone.size() > 32 || phone.find_first_not_of("+0123456789 ()-/") != std::string::npos)
      throw Error::invalid_argument("phone is a phone number (digits, +, spaces)");
    const auto seed = host().random_bytes(oath::default_seed_size(options.hash));
    boost::json::object info{{"hashlib", oath::hash_name(options.hash)}, {"tokenkind", "software"}};
    if (!phone.empty()) info["phone"] = phone;
    return {{"secret", oath::to_hex(seed)},
            {"otplen", options.digits},
            {"info", std::move(info)},
            {"detail", boost::json::object{}}};
  }

  boost::json::object challenge(const boost::json::object& request) override {
    const auto token = oath::token_key(request);
    const auto code = oath::hotp(token.key, oath::request_number(request, "counter"),
                                 token.options.digits, token.options.hash);
    return {{"delivery", {{"subject", "sign-in code"}, {"body", "Your sign-in code: " + code}}},
            {"message", "Please enter the code that was sent to you by SMS."}};
  }

  boost::json::object verify(const boost::json::object& request) override {
    return oath::verify_sent_value(request);
  }
};

}  // namespace

TESSERA_PLUGIN("org.tessera.sms", "0.1.0", tessera::sdk::component<SmsToken>());
