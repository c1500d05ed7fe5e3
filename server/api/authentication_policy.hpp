// What the authentication-scope policies say for a user: how /validate/check and a WebUI login
// with a second factor check tokens (otppin, lockout_seconds, challenge_response,
// challenge_notification) and whether failures are told apart (hide_specific_error_message).
#pragma once

#include "server/policy/policy_engine.hpp"
#include "server/tokens/token_checker.hpp"

namespace tessera::api {

tokens::CheckPolicy check_policy(const policy::PolicyEngine& engine,
                                 const policy::Subject& subject);

// With hide_specific_error_message, unknown users, users without tokens, wrong PINs and wrong
// values all read alike, so that the answer does not tell who exists and has tokens.
constexpr const char* kHiddenFailureMessage = "wrong otp pin or otp value";
bool hides_specific_errors(const policy::PolicyEngine& engine, const policy::Subject& subject);

}  // namespace tessera::api
