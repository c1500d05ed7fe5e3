#include "server/crypto/password_hash.hpp"

#include <argon2.h>
#include <cstring>

#include <gtest/gtest.h>

namespace tessera::crypto {
namespace {

// Everything of a PHC string up to its salt: the algorithm, version and parameters.
std::string parameters_of(const std::string& encoded) {
  return encoded.substr(0, encoded.find('$', encoded.find("$m=") + 1));
}

TEST(PasswordHash, AHashVerifiesItsPasswordOnly) {
  const auto hash = hash_password("correct horse");
  EXPECT_TRUE(verify_password("correct horse", hash));
  EXPECT_FALSE(verify_password("correct horsf", hash));
  EXPECT_FALSE(verify_password("correct horse", "$argon2id$not a hash"));
}

// The login's stand-in for an account without an Argon2 hash: it must cost a full verification
// (a hash Argon2 cannot decode would be refused at once, and the time would tell), so it has
// exactly a real hash's parameters and decodes; and no password matches it.
TEST(PasswordHash, TheUnmatchableHashCostsAFullVerificationAndMatchesNothing) {
  const auto unmatchable = unmatchable_password_hash();
  EXPECT_EQ(parameters_of(unmatchable), parameters_of(hash_password("x")));
  EXPECT_EQ(unmatchable.size(), hash_password("x").size());
  for (const char* password : {"", "x", "password", "correct horse"})
    EXPECT_EQ(argon2id_verify(unmatchable.c_str(), password, std::strlen(password)),
              ARGON2_VERIFY_MISMATCH)
        << "decoded and computed, then refused: " << password;
  EXPECT_NE(unmatchable, unmatchable_password_hash()) << "a fresh salt and digest each time";
}

}  // namespace
}  // namespace tessera::crypto
