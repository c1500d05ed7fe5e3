// RADIUS tokens (eduMFA's and privacyIDEA's "radius"): the value after the PIN is checked by
// another RADIUS server (an older OTP system, a vendor's appliance), which an admin defines
// once (POST /radiusserver/<name>) and each token names (radius.identifier). The host sends the
// request with that server's shared secret, which this plugin never sees, and refuses replies
// that are not signed with Message-Authenticator. The PIN is Tessera's, checked before anything
// is forwarded (eduMFA's radius.local_checkpin=1), so the remote server only sees values whose
// PIN was right, and its replay protection is the remote's own.
#include <tessera/sdk/plugin.hpp>
#include <tessera/sdk/request_params.hpp>

namespace {

using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;
using tessera::sdk::param_text;
using tessera::sdk::RadiusReply;

class RadiusToken : public tessera::sdk::TokenType {
 public:
  using TokenType::TokenType;

  static ComponentInfo describe() {
    return {"radius", "the value after the PIN is checked by another RADIUS server", {}};
  }

  boost::json::object enroll(const boost::json::object& request) override {
    const auto& params = request.at("params").as_object();
    const auto identifier = param_text(params, "radius.identifier");
    if (identifier.empty())
      throw Error::invalid_argument(
          "radius.identifier names the RADIUS server to forward to (GET /radiusserver/ lists "
          "them)");
    // The remote user: given, or the token owner's login name.
    auto user = param_text(params, "radius.user");
    if (user.empty()) user = param_text(params, "user");
    if (user.empty() || user.size() > 253)
      throw Error::invalid_argument("radius.user is the user name on the RADIUS server");
    const auto local_pin = param_text(params, "radius.local_checkpin");
    if (!local_pin.empty() && local_pin != "1" && local_pin != "true" && local_pin != "True")
      throw Error::invalid_argument(
          "Tessera checks a radius token's PIN itself (radius.local_checkpin=1) and forwards "
          "the otplen characters after it; to forward a PIN too, give the token no PIN and "
          "count the remote PIN in otplen");
    auto otplen = param_text(params, "otplen");
    const long digits = otplen.empty() ? 6 : std::strtol(otplen.c_str(), nullptr, 10);
    if (digits < 1 || digits > 12 ||
        (!otplen.empty() && otplen.find_first_not_of("0123456789") != std::string::npos))
      throw Error::invalid_argument("otplen is the length of the remote value, 1 to 12");
    // Nothing is sent for an empty user: the host only says whether the server is defined.
    try {
      host().radius({identifier, "", "", ""});
    } catch (const Error& e) {
      if (e.kind() == Error::Kind::not_found)
        throw Error::invalid_argument("no RADIUS server '" + identifier +
                                      "' is defined (POST /radiusserver/" + identifier + ")");
      if (e.kind() != Error::Kind::invalid_argument) throw;
    }
    return {{"secret", ""},
            {"otplen", digits},
            {"info",
             {{"tokenkind", "virtual"}, {"radius.identifier", identifier}, {"radius.user", user}}},
            {"detail", boost::json::object{}}};
  }

  boost::json::object verify(const boost::json::object& request) override {
    const auto& info = request.at("info").as_object();
    const auto identifier = param_text(info, "radius.identifier");
    const auto user = param_text(info, "radius.user");
    if (identifier.empty() || user.empty())
      throw Error::invalid_argument("the token has no radius.identifier or radius.user");
    const auto reply = host().radius({identifier, user, param_text(request, "otp"), ""});
    switch (reply.code) {
      case RadiusReply::Code::accept: {
        // The remote protects its values from replay; the host's counter only moves on.
        const auto* counter = request.if_contains("counter");
        return {{"match", true}, {"counter", counter ? *counter : boost::json::value(0)}};
      }
      case RadiusReply::Code::reject:
        return {{"match", false}};
      case RadiusReply::Code::challenge:
        break;
    }
    throw Error::unavailable("RADIUS server '" + identifier +
                             "' answered with a challenge, which radius tokens do not relay" +
                             (reply.message.empty() ? "" : ": " + reply.message));
  }
};

}  // namespace

TESSERA_PLUGIN("org.tessera.radius", "0.1.0", tessera::sdk::component<RadiusToken>());
