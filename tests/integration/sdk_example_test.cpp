// The SDK's example plugin, built out of tree against the installed SDK package (by
// build_sdk_example.sh), is found, listed and called through the host.
#include <fstream>

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "tests/integration/token_fixture.hpp"
#include "tests/support/host_fixture.hpp"

namespace tessera::testing {
namespace {

const std::string kExampleDir = TESSERA_EXAMPLE_PLUGIN_DIR;

TEST(SdkExample, IsListedByTheServer) {
  auto dir = make_temp_dir("tessera-example");
  std::ofstream(dir / "tessera.yaml") << make_config({.plugin_directories = {kExampleDir}}, dir);
  auto r = run_server_command({"--config", (dir / "tessera.yaml").string(), "--list-plugins"});
  std::filesystem::remove_all(dir);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("org.example.hello 1.0.0 abi " + std::to_string(TESSERA_ABI_VERSION_MAJOR) +
                       "." + std::to_string(TESSERA_ABI_VERSION_MINOR) + " token_type:hello " +
                       kExampleDir + "/libhello_token.so"),
            std::string::npos)
      << r.out << r.err;
}

class HelloTokenThroughTheHost : public HostFixture {
 protected:
  void SetUp() override {
    HostFixture::SetUp();
    registry_ = plugins::PluginRegistry::load({kExampleDir}, services_);
    ASSERT_EQ(registry_.plugins().size(), 1u);
    token_type_ = registry_.create_instance(TESSERA_COMPONENT_TOKEN_TYPE, "hello", "hello", {});
  }
  plugins::PluginRegistry registry_;
  std::shared_ptr<plugins::ComponentInstance> token_type_;
};

TEST_F(HelloTokenThroughTheHost, EnrollsAndVerifies) {
  auto enrolled = token_type_->call(plugins::Operation::enroll, {{"serial", "HELLO0001"}})
                      .at("detail")
                      .as_object();
  const std::string code(enrolled.at("code").as_string());
  EXPECT_EQ(code.size(), 6u);
  EXPECT_EQ(enrolled.at("greeting"), "hello") << "the parameter's default is filled in by the host";
  EXPECT_EQ(token_type_
                ->call(plugins::Operation::verify,
                       {{"serial", "HELLO0001"}, {"otp", code}, {"counter", 0}})
                .at("match"),
            true);
  std::string wrong = code;
  wrong[0] = wrong[0] == '9' ? '0' : static_cast<char>(wrong[0] + 1);
  EXPECT_EQ(token_type_
                ->call(plugins::Operation::verify,
                       {{"serial", "HELLO0001"}, {"otp", wrong}, {"counter", 0}})
                .at("match"),
            false);
}

TEST_F(HelloTokenThroughTheHost, StoresTheSecretEncrypted) {
  auto enrolled = token_type_->call(plugins::Operation::enroll, {{"serial", "HELLO0002"}})
                      .at("detail")
                      .as_object();
  const std::string code(enrolled.at("code").as_string());
  std::string stored;
  int encrypted = 0;
  database_->with_session([&](soci::session& sql) {
    sql << "SELECT item_value, encrypted FROM plugin_store WHERE plugin_id = 'org.example.hello' "
           "AND object_id = 'HELLO0002' AND item_key = 'code'",
        soci::into(stored), soci::into(encrypted);
  });
  EXPECT_EQ(encrypted, 1);
  EXPECT_TRUE(stored.starts_with("v1:"));
  EXPECT_EQ(stored.find(code), std::string::npos);
  // A ciphertext moved to another token does not decrypt there.
  database_->with_session([&](soci::session& sql) {
    sql << "INSERT INTO plugin_store (plugin_id, object_id, item_key, item_value, encrypted, "
           "updated_at) VALUES ('org.example.hello', 'HELLO0003', 'code', :v, 1, 0)",
        soci::use(stored);
  });
  EXPECT_THROW(
      token_type_->call(plugins::Operation::verify, {{"serial", "HELLO0003"}, {"otp", code}}),
      plugins::PluginCallError);
}

TEST_F(HelloTokenThroughTheHost, BadRequestsFailWithThePluginsMessage) {
  try {
    token_type_->call(plugins::Operation::verify, {{"serial", "NOPE"}, {"otp", "123456"}});
    FAIL();
  } catch (const plugins::PluginCallError& e) {
    EXPECT_EQ(e.status(), TESSERA_ERR_NOT_FOUND);
    EXPECT_STREQ(e.what(), "no hello token NOPE");
  }
  try {
    token_type_->call(plugins::Operation::enroll, {});
    FAIL();
  } catch (const plugins::PluginCallError& e) {
    EXPECT_EQ(e.status(), TESSERA_ERR_INVALID_ARGUMENT);
    EXPECT_STREQ(e.what(), "missing parameter 'serial'");
  }
}

// The example as a user meets it: enrolled over the API, its code accepted once by
// /validate/check, and refused when it comes again.
class HelloTokenInTheServer : public TokenFixture {
 protected:
  void SetUp() override { start({.plugin_directories = {TESSERA_PLUGIN_DIR, kExampleDir}}); }
};

TEST_F(HelloTokenInTheServer, ItsCodeIsAcceptedOnceAndAReplayIsRefused) {
  auto body = enroll("type=hello&user=alice&realm=corp&pin=pw");
  const std::string code(body.at("detail").at("code").as_string());
  const auto check = [&] { return api_->check("user=alice&realm=corp&pass=pw" + code); };
  const auto first = check();
  EXPECT_TRUE(first.value) << first.message;
  EXPECT_EQ(first.authentication, "ACCEPT");
  const auto again = check();
  EXPECT_EQ(again.status, 200);
  EXPECT_FALSE(again.value) << "the code was spent";
  // Deleting the token tells the plugin, which drops its stored code.
  const auto serial = std::string(body.at("detail").at("serial").as_string());
  const auto stored = [&] {
    long long n = 0;
    soci::session sql("sqlite3", "db=" + (server_->dir() / "data" / "tessera.db").string());
    sql << "SELECT COUNT(*) FROM plugin_store WHERE plugin_id = 'org.example.hello' AND "
           "object_id = :s",
        soci::use(serial), soci::into(n);
    return n;
  };
  EXPECT_EQ(stored(), 1);
  ASSERT_EQ(api_->call("DELETE", "/token/" + serial, admin_).status, 200);
  EXPECT_EQ(stored(), 0);
}

}  // namespace
}  // namespace tessera::testing
