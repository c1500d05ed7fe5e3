#include "server/ca/card_confirmation.hpp"

#include "server/crypto/digest.hpp"
#include "server/util/clock.hpp"

namespace tessera::ca {

std::string state_after_issue(const std::string& token_type, boost::json::object& info,
                              std::chrono::seconds time_to_confirm) {
  if (token_type != "smartcard") return "enrolled";
  info["challenge"] = crypto::random_token();
  info["clientwait_until"] = util::unix_seconds() + time_to_confirm.count();
  return "clientwait";
}

}  // namespace tessera::ca
