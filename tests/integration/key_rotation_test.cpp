// tessera-server key rotate: every sealed value moves to a new key in one transaction; the
// server then runs on the new key, and the old key no longer opens anything.
#include <fstream>

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "db/sealed_bindings.hpp"
#include "server/crypto/secret_box.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_http_client.hpp"

namespace tessera::testing {
namespace {

class KeyRotation : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("tessera-rotate");
    { ServerProcess first({}, dir_); }  // creates the key, the sealed server keys, an admin
    auto old_key = crypto::SecretBox::load_or_create(dir_ / "data" / "encryption.key");
    // A value a plugin stored as secret.
    const std::string sealed =
        old_key.seal("JBSWY3DPEHPK3PXP", db::binding::plugin_value("org.tests", "OATH1", "seed"));
    db() << "INSERT INTO plugin_store (plugin_id, object_id, item_key, item_value, encrypted, "
            "updated_at) "
            "VALUES ('org.tests', 'OATH1', 'seed', :v, 1, 0)",
        soci::use(sealed);
    // A token's seed, sealed by the host.
    const std::string seed = old_key.seal("3132333435", db::binding::token_secret("OATH2"));
    db() << "INSERT INTO token (serial, token_type, description, sealed_secret, pin_hash, otplen, "
            "counter, count_window, sync_window, maxfail, failcount, last_fail_at, active, "
            "revoked, locked, rollout_state, info, owner_user, owner_resolver, owner_realm, "
            "created_at) VALUES ('OATH2', 'hotp', '', :s, '', 6, 0, 10, 1000, 10, 0, 0, 1, 0, 0, "
            "'', '{}', '', '', '', 0)",
        soci::use(seed);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  soci::session& db() {
    if (!session_)
      session_ = std::make_unique<soci::session>("sqlite3",
                                                 "db=" + (dir_ / "data" / "tessera.db").string());
    return *session_;
  }
  std::string stored_seed() {
    std::string value;
    db() << "SELECT item_value FROM plugin_store WHERE object_id = 'OATH1'", soci::into(value);
    return value;
  }
  CommandResult rotate(const std::filesystem::path& new_key) {
    return run_server_command(
        {"--config", (dir_ / "tessera.yaml").string(), "key", "rotate", new_key.string()});
  }

  std::filesystem::path dir_;
  std::unique_ptr<soci::session> session_;
};

TEST_F(KeyRotation, MovesEverySecretToTheNewKey) {
  const auto new_key = dir_ / "new.key";
  auto r = rotate(new_key);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // jwt, audit, PIN and enrollment-secret keys, the plugin's seed, the token's seed
  EXPECT_NE(r.out.find("re-sealed 6 secrets"), std::string::npos) << r.out;
  auto fresh = crypto::SecretBox::load_or_create(new_key);
  auto old_key = crypto::SecretBox::load_or_create(dir_ / "data" / "encryption.key");
  const auto binding = db::binding::plugin_value("org.tests", "OATH1", "seed");
  EXPECT_EQ(fresh.open(stored_seed(), binding), "JBSWY3DPEHPK3PXP");
  EXPECT_THROW(old_key.open(stored_seed(), binding), crypto::SecretBoxError);
  std::string token_seed;
  db() << "SELECT sealed_secret FROM token WHERE serial = 'OATH2'", soci::into(token_seed);
  EXPECT_EQ(fresh.open(token_seed, db::binding::token_secret("OATH2")), "3132333435");

  // The server runs on the new key (ServerProcess rewrites tessera.yaml to name it): tokens are
  // signed, the audit chain still verifies.
  {
    ServerProcess server({.top_extra = "encryption_key_file: " + new_key.string() + "\n"}, dir_);
    TestHttpClient client;
    EXPECT_EQ(client
                  .post(server.url() + "/auth", "username=admin&password=test-admin-pw",
                        "application/x-www-form-urlencoded")
                  .status,
              200);
  }
  auto verify =
      run_server_command({"--config", (dir_ / "tessera.yaml").string(), "audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

TEST_F(KeyRotation, RefusesAnExistingTargetAndChangesNothing) {
  const auto before = stored_seed();
  std::ofstream(dir_ / "taken.key") << "x";
  auto r = rotate(dir_ / "taken.key");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nothing changed"), std::string::npos);
  EXPECT_EQ(stored_seed(), before);
}

TEST_F(KeyRotation, AValueTheOldKeyCannotOpenRollsEverythingBack) {
  const auto before = stored_seed();
  db() << "UPDATE server_secret SET sealed_value = 'v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' WHERE "
          "name = 'audit_hmac'";
  auto r = rotate(dir_ / "new.key");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(stored_seed(), before) << "the transaction was rolled back";
  EXPECT_FALSE(std::filesystem::exists(dir_ / "new.key")) << "the unused new key is removed";
}

}  // namespace
}  // namespace tessera::testing
