// E-mail OTP (eduMFA's "email" token): an HOTP whose values reach the user by mail. The seed is
// made by the server and never shown; a right PIN opens a challenge, for which this type makes
// the message with the next value, and the host sends it through the notification action that
// the authentication policy challenge_notification names. Only that one value is accepted (no
// look-ahead window: the user never has a later one), and the host takes it only as the answer
// to an open challenge, so a code lives no longer than its challenge.
#include <oath.hpp>
#include <tessera/sdk/plugin.hpp>

namespace {

using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;
namespace oath = tessera::oath;

class EmailToken : public tessera::sdk::TokenType {
 public:
  using TokenType::TokenType;

  static ComponentInfo describe() {
    return {"email", "one-time password sent by e-mail (needs policy challenge_notification)", {}};
  }

  boost::json::object enroll(const boost::json::object& request) override {
    const auto& params = request.at("params").as_object();
    if (params.contains("otpkey"))
      throw Error::invalid_argument("the key of an email token is made by the server (no otpkey)");
    const auto options = oath::options_from_request(params);
    const auto seed = host().random_bytes(oath::default_seed_size(options.hash));
    return {{"secret", oath::to_hex(seed)},
            {"otplen", options.digits},
            {"info", {{"hashlib", oath::hash_name(options.hash)}, {"tokenkind", "software"}}},
            {"detail", boost::json::object{}}};
  }

  boost::json::object challenge(const boost::json::object& request) override {
    const auto token = oath::token_key(request);
    const auto code = oath::hotp(token.key, oath::request_number(request, "counter"),
                                 token.options.digits, token.options.hash);
    return {{"delivery",
             {{"subject", "Your sign-in code"},
              {"body", "Hello {givenname},\n\nyour sign-in code is " + code +
                           ".\n\nIf you did not try to sign in, tell your administrator."}}},
            {"message", "Please enter the code that was sent to you by e-mail."}};
  }

  boost::json::object verify(const boost::json::object& request) override {
    return oath::verify_sent_value(request);
  }
};

}  // namespace

TESSERA_PLUGIN("org.tessera.email", "0.1.0", tessera::sdk::component<EmailToken>());
