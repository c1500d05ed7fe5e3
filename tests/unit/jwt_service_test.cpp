#include "server/auth/jwt_service.hpp"

#include <gtest/gtest.h>

#include "server/crypto/encoding.hpp"

namespace tessera::auth {
namespace {

using namespace std::chrono_literals;

std::vector<uint8_t> key(uint8_t fill) {
  return std::vector<uint8_t>(32, fill);
}

TEST(JwtService, IssuesTokensItVerifies) {
  JwtService jwt(key(1), 3600s);
  const auto now = std::chrono::system_clock::now();
  auto token = jwt.issue({Role::admin, "admin", ""}, now);
  auto identity = jwt.verify(token, now + 10s);
  ASSERT_TRUE(identity);
  EXPECT_TRUE(identity->is_admin());
  EXPECT_EQ(identity->username, "admin");
  EXPECT_NE(jwt.issue({Role::admin, "admin", ""}, now), token) << "each token has its own nonce";
}

TEST(JwtService, RefusesExpiredForeignTamperedAndUnsignedTokens) {
  JwtService jwt(key(1), 60s);
  const auto now = std::chrono::system_clock::now();
  auto token = jwt.issue({Role::user, "alice", "corp", "local"}, now);
  EXPECT_EQ(jwt.verify(token, now)->resolver, "local");
  EXPECT_FALSE(jwt.verify(token, now + 61s)) << "expired";
  EXPECT_FALSE(JwtService(key(2), 60s).verify(token, now)) << "signed with another key";

  // Make alice an admin by editing the payload: the signature no longer matches.
  auto first_dot = token.find('.');
  auto second_dot = token.find('.', first_dot + 1);
  std::string payload = R"({"username":"alice","realm":"corp","role":"admin","exp":9999999999})";
  auto encoded =
      crypto::base64_encode(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
  for (auto& c : encoded) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  auto tampered = token.substr(0, first_dot + 1) + encoded + token.substr(second_dot);
  EXPECT_FALSE(jwt.verify(tampered, now));

  // {"alg":"none"} with no signature must never pass.
  auto unsigned_token = std::string("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.") + encoded + ".";
  EXPECT_FALSE(jwt.verify(unsigned_token, now));
  EXPECT_FALSE(jwt.verify("not-a-jwt", now));
  EXPECT_FALSE(jwt.verify("", now));
}

TEST(JwtService, RefusesShortKeys) {
  EXPECT_THROW(JwtService(std::vector<uint8_t>(16, 1), 60s), std::invalid_argument);
}

}  // namespace
}  // namespace tessera::auth
