// The smart card token type: a certificate whose key is made on a card (PIV, a PKCS#11 token)
// and never leaves it. Enrollment is the host's and the card client's (tessera-card): this type
// asks the host to wait for the card ("card"); the certificate the card's CSR gets is the
// token's, and it logs in with mutual TLS. A card is no OTP: /validate/check never accepts one.
#include <tessera/sdk/plugin.hpp>

namespace {

using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;

class SmartcardToken : public tessera::sdk::TokenType {
 public:
  using TokenType::TokenType;

  static ComponentInfo describe() { return {"smartcard", "Smart card (key made on the card)", {}}; }

  // The key is on the card: nothing of it comes with the first step. A CSR or a certificate
  // given here would bypass the card, so they are refused.
  boost::json::object enroll(const boost::json::object& request) override {
    const auto& params = request.at("params").as_object();
    for (const char* key : {"request", "certificate", "genkey", "otpkey"})
      if (params.contains(key))
        throw Error::invalid_argument(std::string("a smart card makes its key on the card: '") +
                                      key +
                                      "' is not taken; the card's client (tessera-card) sends "
                                      "its CSR in the next step");
    return {{"otplen", 0},
            {"card", true},
            {"info", {{"tokenkind", "hardware"}}},
            {"detail", boost::json::object()}};
  }

  boost::json::object verify(const boost::json::object&) override { return {{"match", false}}; }
};

}  // namespace

TESSERA_PLUGIN("org.tessera.smartcard", "0.1.0", tessera::sdk::component<SmartcardToken>());
