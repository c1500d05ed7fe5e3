#include "server/crypto/secret_box.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/server_process.hpp"

namespace tessera::crypto {
namespace {

class SecretBoxTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::make_temp_dir("tessera-key"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(SecretBoxTest, RoundTripsAndUsesAFreshNonceEachTime) {
  auto box = SecretBox::load_or_create(dir_ / "key");
  auto a = box.seal("seed-0123", "row-1");
  auto b = box.seal("seed-0123", "row-1");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find("seed-0123"), std::string::npos);
  EXPECT_EQ(box.open(a, "row-1"), "seed-0123");
}

TEST_F(SecretBoxTest, RefusesAlteredMovedOrForeignCiphertexts) {
  auto box = SecretBox::load_or_create(dir_ / "key");
  auto sealed = box.seal("secret", "row-1");
  EXPECT_THROW(box.open(sealed, "row-2"), SecretBoxError);
  auto altered = sealed;
  altered[10] = altered[10] == 'A' ? 'B' : 'A';
  EXPECT_THROW(box.open(altered, "row-1"), SecretBoxError);
  auto other = SecretBox::load_or_create(dir_ / "other-key");
  EXPECT_THROW(other.open(sealed, "row-1"), SecretBoxError);
  EXPECT_THROW(box.open("garbage", "row-1"), SecretBoxError);
}

TEST_F(SecretBoxTest, KeyFileIsPrivateAndReloads) {
  auto sealed = SecretBox::load_or_create(dir_ / "key").seal("x", "");
  EXPECT_EQ(std::filesystem::status(dir_ / "key").permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(SecretBox::load_or_create(dir_ / "key").open(sealed, ""), "x");
  std::filesystem::permissions(dir_ / "key", std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  EXPECT_THROW(SecretBox::load_or_create(dir_ / "key"), SecretBoxError);
  std::ofstream(dir_ / "bad") << "not a key\n";
  std::filesystem::permissions(dir_ / "bad", std::filesystem::perms::owner_read,
                               std::filesystem::perm_options::replace);
  EXPECT_THROW(SecretBox::load_or_create(dir_ / "bad"), SecretBoxError);
}

}  // namespace
}  // namespace tessera::crypto
