// WebUI logins with a second factor (webui policy login_mode) and answers that do not tell why
// a check failed (authentication policy hide_specific_error_message), against the real binary.
#include "tests/integration/token_fixture.hpp"

namespace tessera::testing {
namespace {

class LoginMode : public TokenFixture {
 protected:
  void SetUp() override {
    start();
    enroll("type=hotp&user=alice&realm=corp&serial=ALICE1&pin=4711&otpkey=" + kSeed20);
  }
  TestResponse auth(const std::string& params) {
    return api_->client()->post(server_->url() + "/auth", params, kForm);
  }
  void policy(const std::string& name, const std::string& params, int expected = 200) {
    const auto r = api_->call("POST", "/policy/" + name, admin_, params);
    ASSERT_EQ(r.status, expected) << r.body;
  }
  std::string last_auth_audit() {
    auto r = api_->call("GET", "/audit/?action=POST%20/auth&page_size=1", admin_);
    return std::string(
        json_of(r).at("result").at("value").at("auditdata").at(0).at("info").as_string());
  }
};

TEST_F(LoginMode, TesseraAsksForASecondFactorAfterThePassword) {
  policy("webui", "scope=webui&action=login_mode=tessera&realm=corp");
  const auto first = auth("username=alice&password=alice-password&realm=corp");
  ASSERT_EQ(first.status, 200) << first.body;
  const auto body = json_of(first);
  EXPECT_FALSE(body.at("result").at("value").as_object().contains("token")) << "no session yet";
  const std::string transaction(body.at("detail").at("transaction_id").as_string());
  EXPECT_EQ(transaction.size(), 20u);
  EXPECT_EQ(last_auth_audit(), "password right; second factor asked");

  const std::string second =
      "username=alice&password=alice-password&realm=corp&transaction_id=" + transaction + "&otp=";
  const auto wrong = auth(second + "000000");
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  EXPECT_NE(last_auth_audit().find("second factor refused: "), std::string::npos);
  // The value alone, without the password, is no login.
  EXPECT_EQ(
      auth("username=alice&password=wrong&realm=corp&transaction_id=" + transaction + "&otp=755224")
          .status,
      401);
  const auto right = auth(second + "755224");
  ASSERT_EQ(right.status, 200) << right.body;
  const std::string jwt(json_of(right).at("result").at("value").at("token").as_string());
  EXPECT_EQ(api_->call("GET", "/token/", jwt).status, 200);
  EXPECT_EQ(last_auth_audit(), "password and token ALICE1");
  EXPECT_EQ(auth(second + "755224").status, 401) << "a value is used once";

  // Without a token there is nothing to log in with; admins log in as before.
  EXPECT_EQ(auth("username=bob&password=bob-password&realm=corp").status, 401);
  EXPECT_EQ(last_auth_audit(), "login_mode tessera: the user has no token to log in with");
  EXPECT_FALSE(api_->login("admin", "test-admin-pw").empty());
}

TEST_F(LoginMode, DisableKeepsUsersOutAndUserstoreNeedsThePasswordOnly) {
  policy("webui", "scope=webui&action=login_mode=userstore");
  EXPECT_FALSE(api_->login("alice", "alice-password", "corp").empty());
  policy("webui", "scope=webui&action=login_mode=disable");
  EXPECT_TRUE(api_->login("alice", "alice-password", "corp").empty());
  EXPECT_EQ(last_auth_audit(), "login_mode disable: users do not log in to the WebUI");
  EXPECT_FALSE(api_->login("admin", "test-admin-pw").empty());
  policy("webui", "scope=webui&action=login_mode=privacyIDEA");  // eduMFA's name for tessera
  EXPECT_EQ(auth("username=alice&password=alice-password&realm=corp").status, 200);
  policy("bad", "scope=webui&action=login_mode=sometimes", 400);
}

TEST_F(LoginMode, HideSpecificErrorMessageMakesEveryFailureReadAlike) {
  const auto reasons = [&] {
    return std::vector<std::string>{
        api_->check("user=nobody&realm=corp&pass=4711755224").message,  // unknown user
        api_->check("user=bob&realm=corp&pass=4711755224").message,     // no token
        api_->check("user=alice&realm=corp&pass=0000755224").message,   // wrong PIN
        api_->check("user=alice&realm=corp&pass=4711000000").message};  // wrong value
  };
  const auto told = reasons();
  EXPECT_NE(told[0], told[3]) << "by default the reasons differ";
  EXPECT_NE(told[2], told[3]);
  policy("hide", "scope=authentication&action=hide_specific_error_message");
  for (const auto& message : reasons()) EXPECT_EQ(message, "wrong otp pin or otp value");
  EXPECT_TRUE(api_->check("user=alice&realm=corp&pass=4711755224").value) << "the right one";
}

}  // namespace
}  // namespace tessera::testing
