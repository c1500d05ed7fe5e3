// Base class of a token type (HOTP, TOTP, certificate...). One instance serves every token of
// its type; per-token state lives in the host store under the token's serial.
//
// Threading: enroll and verify may run concurrently on several worker threads.
#pragma once

#include <boost/json.hpp>

#include "tessera/sdk/component.hpp"

namespace tessera::sdk {

class TokenType : public Component {
 public:
  static constexpr tessera_component_kind kind = TESSERA_COMPONENT_TOKEN_TYPE;

  using Component::Component;

  // Creates a token's state from the enrollment request (which carries at least "serial");
  // returns what the enrollment response shows the user.
  virtual boost::json::object enroll(const boost::json::object& request) = 0;
  // Checks a credential for the token in request["serial"]; returns at least {"match": bool}.
  virtual boost::json::object verify(const boost::json::object& request) = 0;
};

}  // namespace tessera::sdk
