// Issues and checks the JWTs that /auth hands out (HS256 with a server-wide key that every node
// shares through the database).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/auth/identity.hpp"

namespace tessera::auth {

class JwtService {
 public:
  JwtService(std::vector<uint8_t> key, std::chrono::seconds validity);
  ~JwtService();
  JwtService(const JwtService&) = delete;
  JwtService& operator=(const JwtService&) = delete;

  std::string issue(const Identity& identity, std::chrono::system_clock::time_point now) const;
  // nullopt for a token that is malformed, not HS256, badly signed or expired.
  std::optional<Identity> verify(const std::string& token,
                                 std::chrono::system_clock::time_point now) const;

  std::chrono::seconds validity() const { return validity_; }

 private:
  std::vector<uint8_t> key_;
  std::chrono::seconds validity_;
};

}  // namespace tessera::auth
