// The admins' dashboard (GET /statistics/) and the plugin list (GET /system/plugins): figures
// counted from real checks, tokens and certificates, and neither readable by users.
#include <map>

#include <gtest/gtest.h>

#include "tests/integration/token_fixture.hpp"

namespace tessera::testing {
namespace {

class Dashboard : public TokenFixture {
 protected:
  void SetUp() override { start(); }

  boost::json::object statistics(const std::string& query = "") {
    auto r = api_->call("GET", "/statistics/" + query, admin_);
    EXPECT_EQ(r.status, 200) << r.body;
    return json_of(r).at("result").at("value").as_object();
  }

  long long tokens_in(const boost::json::object& figures, const std::string& type,
                      const std::string& state) {
    for (const auto& row : figures.at("tokens").as_array())
      if (row.at("type") == type.c_str() && row.at("state") == state.c_str())
        return row.at("count").as_int64();
    return 0;
  }
};

TEST_F(Dashboard, CountsChecksPerMinuteTokensByStateAndExpiringCertificates) {
  enroll("type=hotp&serial=H1&otpkey=" + kSeed20 + "&user=alice&realm=corp");
  enroll("type=hotp&serial=H2&otpkey=" + kSeed20 + "&user=bob&realm=corp");
  enroll("type=totp&serial=T1&otpkey=" + kSeed20 + "&user=bob&realm=corp");
  ASSERT_EQ(api_->call("POST", "/token/disable/H2", admin_).status, 200);
  EXPECT_TRUE(api_->check("user=alice&realm=corp&pass=755224").value);  // RFC 4226, counter 0
  EXPECT_FALSE(api_->check("user=alice&realm=corp&pass=000000").value);
  EXPECT_FALSE(api_->check("user=alice&realm=corp&pass=111111").value);

  ASSERT_EQ(api_->call("POST", "/caconnector/corp", admin_, "type=ca_local").status, 200);
  ASSERT_EQ(api_->call("POST", "/caconnector/corp/profile/short", admin_,
                       "validity_days=45&key_types=ec-p256&extended_key_usage=clientAuth&"
                       "subject.CN=%7Busername%7D")
                .status,
            200);
  for (const char* user : {"alice", "bob"})
    ASSERT_EQ(api_->call("POST", "/token/init", admin_,
                         std::string("type=certificate&genkey=1&ca=corp&profile=short&user=") +
                             user + "&realm=corp&password=a-long-pkcs12-password")
                  .status,
              200);

  const auto figures = statistics();
  const auto& minutes = figures.at("checks").at("minutes").as_array();
  ASSERT_EQ(minutes.size(), 60u) << "every minute of the hour, zeros included";
  long long accepted = 0, rejected = 0;  // the checks may straddle a minute's end
  for (const auto& m : minutes) {
    accepted += m.at("accepted").as_int64();
    rejected += m.at("rejected").as_int64();
  }
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(rejected, 2);
  EXPECT_GT(minutes.back().at("accepted").as_int64() + minutes.back().at("rejected").as_int64() +
                minutes[58].at("accepted").as_int64() + minutes[58].at("rejected").as_int64(),
            0)
      << "the checks are in the newest minutes";
  EXPECT_EQ(figures.at("checks").at("accepted"), 1);
  EXPECT_EQ(figures.at("checks").at("rejected"), 2);
  EXPECT_EQ(minutes[1].at("time").as_int64() - minutes[0].at("time").as_int64(), 60);

  EXPECT_EQ(tokens_in(figures, "hotp", "enrolled"), 1);
  EXPECT_EQ(tokens_in(figures, "hotp", "disabled"), 1);
  EXPECT_EQ(tokens_in(figures, "totp", "enrolled"), 1);
  EXPECT_EQ(tokens_in(figures, "certificate", "enrolled"), 2);

  const auto& expiring = figures.at("certificates_expiring").as_object();
  EXPECT_EQ(expiring.at("30"), 0);
  EXPECT_EQ(expiring.at("60"), 2);
  EXPECT_EQ(expiring.at("90"), 2);

  // A revoked certificate no longer expires, and its token counts as revoked.
  auto list = json_of(api_->call("GET", "/token/?type=certificate&user=bob&realm=corp", admin_));
  const std::string bobs(
      list.at("result").at("value").at("tokens").as_array().at(0).at("serial").as_string());
  ASSERT_EQ(api_->call("POST", "/token/revoke/" + bobs, admin_).status, 200);
  const auto after = statistics("?minutes=5");
  EXPECT_EQ(after.at("checks").at("minutes").as_array().size(), 5u);
  EXPECT_EQ(after.at("certificates_expiring").at("60"), 1);
  EXPECT_EQ(tokens_in(after, "certificate", "revoked"), 1);
  EXPECT_EQ(tokens_in(after, "certificate", "enrolled"), 1);
}

TEST_F(Dashboard, LocksCountAsLockedAndBadParametersAreRefused) {
  set_policy("fails", "scope=authentication&action=max_fail=2");
  enroll("type=hotp&serial=H1&otpkey=" + kSeed20 + "&user=alice&realm=corp");
  for (int i = 0; i < 2; ++i) api_->check("user=alice&realm=corp&pass=000000");
  EXPECT_EQ(tokens_in(statistics(), "hotp", "locked"), 1);
  EXPECT_EQ(api_->call("GET", "/statistics/?minutes=0", admin_).status, 400);
  EXPECT_EQ(api_->call("GET", "/statistics/?minutes=100000", admin_).status, 400);
}

TEST_F(Dashboard, PluginsAreListedWithTheirVersionsAndComponents) {
  auto r = api_->call("GET", "/system/plugins", admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto value = json_of(r).at("result").at("value").as_object();
  bool hotp = false, ca = false;
  for (const auto& plugin : value.at("plugins").as_array()) {
    EXPECT_FALSE(plugin.at("version").as_string().empty());
    EXPECT_EQ(plugin.at("file").as_string().find('/'), std::string::npos) << "no server paths";
    for (const auto& c : plugin.at("components").as_array()) {
      hotp = hotp || (c.at("kind") == "token_type" && c.at("type") == "hotp");
      if (c.at("kind") != "ca_connector" || c.at("type") != "ca_local") continue;
      ca = true;
      // Its parameters, for forms: types, defaults, and which are secret.
      std::map<std::string, boost::json::object> params;
      for (const auto& p : c.at("params").as_array())
        params[std::string(p.at("key").as_string())] = p.as_object();
      EXPECT_EQ(params.at("validity_days").at("type"), "integer");
      EXPECT_EQ(params.at("validity_days").at("default"), 3650);
      EXPECT_EQ(params.at("private_key").at("secret"), true);
      EXPECT_TRUE(params.at("private_key").at("default").is_null()) << "no secret's default shown";
      EXPECT_EQ(params.at("common_name").at("secret"), false);
      EXPECT_FALSE(params.at("key_type").at("description").as_string().empty());
    }
  }
  EXPECT_TRUE(hotp);
  EXPECT_TRUE(ca);
  EXPECT_TRUE(value.at("refused").as_array().empty());
}

TEST_F(Dashboard, UsersAndAdminsWithoutTheRightAreRefused) {
  const auto alice = api_->login("alice", "alice-password", "corp");
  ASSERT_FALSE(alice.empty());
  EXPECT_EQ(api_->call("GET", "/statistics/", alice).status, 403);
  EXPECT_EQ(api_->call("GET", "/system/plugins", alice).status, 403);
  EXPECT_EQ(api_->call("GET", "/statistics/", "").status, 401);
  set_policy("admins", "scope=admin&action=policywrite,policyread,tokenlist");
  EXPECT_EQ(api_->call("GET", "/statistics/", admin_).status, 403);
  EXPECT_EQ(api_->call("GET", "/system/plugins", admin_).status, 403);
  set_policy("admins", "scope=admin&action=policywrite,policyread,statistics_read,configread");
  EXPECT_EQ(api_->call("GET", "/statistics/", admin_).status, 200);
  EXPECT_EQ(api_->call("GET", "/system/plugins", admin_).status, 200);
}

}  // namespace
}  // namespace tessera::testing
