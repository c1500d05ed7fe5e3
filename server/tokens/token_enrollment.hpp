// Creates a token: asks the type's plugin for the secret and what the user is shown, seals the
// secret, hashes the PIN, stores the row, and turns otpauth:// links into QR codes. The secret
// leaves the server only in this one response.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include <boost/json/object.hpp>

#include "db/token_repository.hpp"
#include "server/crypto/secret_box.hpp"
#include "server/tokens/pin_hasher.hpp"
#include "server/tokens/token_types.hpp"

namespace tessera::tokens {

// The request cannot be enrolled as it stands (unknown type, taken serial, bad parameter).
class EnrollmentError : public std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct EnrollmentRequest {
  std::string type;
  std::string serial;  // empty: one is made up from the type
  std::string description;
  std::string pin;
  boost::json::object params;  // everything the client sent, for the plugin
  std::string owner_user, owner_resolver, owner_realm;
  std::string label;   // shown in authenticator apps
  std::string issuer;  // likewise
  int maxfail = 10;
  std::optional<long long> max_owned;  // policy max_token_per_user, checked as it is stored
  db::TransitionNote note;             // who enrolls, for the record of the first rollout state
  // Runs after the plugin made the token and before it is stored (a certificate token has its
  // certificate issued here); when it throws, nothing is stored.
  std::function<void(const boost::json::object& made, db::TokenRow& row,
                     boost::json::object& detail)>
      complete;
};

struct EnrollmentResult {
  db::TokenRow token;
  boost::json::object detail;  // eduMFA's init detail: serial, googleurl, otpkey...
};

class TokenEnrollment {
 public:
  TokenEnrollment(db::TokenRepository& tokens, const TokenTypes& types,
                  const crypto::SecretBox& secrets, const PinHasher& pins)
      : tokens_(tokens), types_(types), secrets_(secrets), pins_(pins) {}

  // Throws EnrollmentError for bad input, plugins::PluginCallError when the plugin refuses.
  EnrollmentResult enroll(const EnrollmentRequest& request) const;

 private:
  db::TokenRepository& tokens_;
  const TokenTypes& types_;
  const crypto::SecretBox& secrets_;
  const PinHasher& pins_;
};

// 1 to 64 letters, digits, '-', '_' or '.'.
bool valid_serial(const std::string& serial);

}  // namespace tessera::tokens
