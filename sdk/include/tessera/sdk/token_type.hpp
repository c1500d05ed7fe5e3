// Base class of a token type (HOTP, TOTP, certificate...). One instance serves every token of
// its type. The host keeps each token's row (owner, PIN, counter, fail counter, the secret
// sealed at rest) and passes what a call needs in the request, so a token type is a pure
// function of its inputs and the host can update the counter atomically in the database.
// sdk/REFERENCE.md lists every request and result field. Optional operations (resync,
// challenge, deleted) are offered to the host only when the class overrides them.
//
// Threading: every operation may run concurrently on several worker threads.
#pragma once

#include <boost/json.hpp>

#include "tessera/sdk/component.hpp"
#include "tessera/sdk/error.hpp"

namespace tessera::sdk {

class TokenType : public Component {
 public:
  static constexpr tessera_component_kind kind = TESSERA_COMPONENT_TOKEN_TYPE;

  using Component::Component;

  // Makes a new token from the enrollment request {"serial", "params", "label", "issuer"}.
  // Returns {"secret": text the host seals, "otplen": n (1 to 12, or 0 for a token
  // without OTP values, which the host never verifies), "info": {public token info}, "detail":
  // {shown once in the enrollment response}}.
  virtual boost::json::object enroll(const boost::json::object& request) = 0;
  // Checks request["otp"] against the token {"secret", "otplen", "info", "counter", "window",
  // "now"}; returns {"match": bool} and on a match "counter" (the one that matched) and
  // optionally "info" (entries to update; the host keeps its own entries, such as "hashlib" and
  // "tokenkind", whatever this says). "counter" is a whole number from request["counter"] up
  // to 2^62; anything else is refused as a plugin error, and so is a throw: neither counts as
  // a wrong value.
  virtual boost::json::object verify(const boost::json::object& request) = 0;
  // Finds two consecutive values "otp1", "otp2" within "window"; returns as verify does, with
  // the counter of otp2. Token types without a counter keep this default.
  virtual boost::json::object resync(const boost::json::object& /*request*/) {
    throw Error::invalid_argument("this token type cannot be resynchronised");
  }
  // For a token type whose values reach the user in a message (e-mail, SMS): the token's PIN
  // was right, so make the message that carries the next value. Gets what verify gets (without
  // "otp") and "transaction_id"; returns {"delivery": {"subject", "body"}} (the host sends it to
  // the token owner through the notification action that the authentication policy
  // challenge_notification names) and optionally "message", what the user is told. Since 1.4.
  virtual boost::json::object challenge(const boost::json::object& /*request*/) {
    throw Error::invalid_argument("this token type sends no challenges");
  }
  // The token {"serial"} was deleted: drop what the plugin stored for it. Since ABI 1.4.
  virtual boost::json::object deleted(const boost::json::object& /*request*/) { return {}; }
};

}  // namespace tessera::sdk
