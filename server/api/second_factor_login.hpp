// WebUI logins with a second factor (webui policy login_mode, as eduMFA's): "userstore" logs a
// user in with the password alone, "tessera" (or "privacyIDEA") asks for a second factor after
// the password, "disable" keeps users out of the WebUI. The second step is a challenge on the
// user's tokens, answered as /validate/check answers one: the same fail counters, lockouts and
// challenge messages.
#pragma once

#include <string>

#include "db/token_repository.hpp"
#include "server/api/access_control.hpp"
#include "server/auth/identity.hpp"
#include "server/tokens/token_checker.hpp"

namespace tessera::api {

class SecondFactorLogin {
 public:
  enum class Mode { userstore, second_factor, disabled };

  SecondFactorLogin(db::TokenRepository& tokens, const tokens::TokenChecker& checker,
                    const AccessControl& access)
      : tokens_(tokens), checker_(checker), access_(access) {}

  // The login mode for user, logging in from client.
  Mode mode_for(const auth::Identity& user, const std::string& client) const;
  // After the password: a challenge on each of the user's usable tokens (authentication
  // CHALLENGE, with a transaction_id), or a REJECT when there is none to log in with.
  tokens::CheckOutcome challenge(const auth::Identity& user, const std::string& client) const;
  // Both throw ApiError 503 when no token could be asked or checked (a plugin or its peer failed).
  // The answer to that challenge: ACCEPT when otp matched a challenged token.
  tokens::CheckOutcome answer(const auth::Identity& user, const std::string& otp,
                              const std::string& transaction_id, const std::string& client) const;

 private:
  db::TokenRepository& tokens_;
  const tokens::TokenChecker& checker_;
  const AccessControl& access_;
};

}  // namespace tessera::api
