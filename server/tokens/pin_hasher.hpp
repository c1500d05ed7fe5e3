// Token PINs, stored as salted HMAC-SHA256 under a server key kept sealed in the database.
// A slow password hash would not protect a PIN of a few digits once the database and the key
// file are both stolen, and it would cost every /validate/check milliseconds of CPU; the key
// makes a stolen database alone useless.
#pragma once

#include <string>
#include <string_view>

namespace tessera::tokens {

class PinHasher {
 public:
  explicit PinHasher(std::string key) : key_(std::move(key)) {}

  // "" for an empty PIN (the token has none), else "h1:<salt>:<mac>" in base64.
  std::string hash(std::string_view pin) const;
  // Constant time in the PIN; an empty stored hash matches only the empty PIN. An Argon2id hash
  // ("$argon2id$...", imported from eduMFA or privacyIDEA) is checked too.
  bool matches(std::string_view stored, std::string_view pin) const;

 private:
  std::string mac(std::string_view salt, std::string_view pin) const;
  std::string key_;
};

}  // namespace tessera::tokens
