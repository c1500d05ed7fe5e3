// The SQL behind eduMFA's admin routes on PostgreSQL (the route tests run on SQLite): token
// limits counted in the check's statements, token groups and user attributes (ON CONFLICT),
// machine attachments (RETURNING a BIGSERIAL id), open challenges, client applications and the
// users-with-tokens count.
#include "tests/integration/postgres_fixture.hpp"
#include "tests/integration/token_fixture.hpp"

namespace tessera::testing {
namespace {

class EduMfaApiPostgres : public TokenFixture {
 protected:
  void SetUp() override { start({.database_url = fresh_postgres_database("edumfa_api")}); }
};

TEST_F(EduMfaApiPostgres, TheEduMfaRoutesSqlRunsOnPostgres) {
  const auto made = enroll("type=hotp&otpkey=" + kSeed20 + "&user=alice&realm=corp&pin=pin");
  const std::string serial(made.at("detail").at("serial").as_string());
  ASSERT_EQ(api_->call("POST", "/token/set/" + serial, admin_, "count_auth_success_max=1").status,
            200);
  EXPECT_TRUE(api_->check("user=alice&realm=corp&pass=pin755224").value);
  EXPECT_EQ(api_->check("user=alice&realm=corp&pass=pin287082").message,
            "Authentication counter exceeded");

  ASSERT_EQ(api_->call("POST", "/tokengroup/staff", admin_, "description=a").status, 200);
  ASSERT_EQ(api_->call("POST", "/tokengroup/staff", admin_, "description=b").status, 200);
  ASSERT_EQ(api_->call("POST", "/token/group/" + serial + "/staff", admin_).status, 200);
  ASSERT_EQ(api_->call("POST", "/token/group/" + serial + "/staff", admin_).status, 200);
  EXPECT_EQ(api_->call("DELETE", "/tokengroup/staff", admin_).status, 400);

  ASSERT_EQ(
      api_->call("POST", "/user/attribute", admin_, "user=alice&realm=corp&key=a&value=1").status,
      200);
  ASSERT_EQ(
      api_->call("POST", "/user/attribute", admin_, "user=alice&realm=corp&key=a&value=2").status,
      200);
  EXPECT_EQ(boost::json::serialize(
                json_of(api_->call("GET", "/user/attribute?user=alice&realm=corp&key=a", admin_))
                    .at("result")
                    .at("value")),
            "\"2\"");

  const auto hosts = server_->dir() / "hosts";
  write_file(hosts, "127.0.0.1 testhost\n");
  ASSERT_EQ(
      api_->call("POST", "/machineresolver/hosts", admin_, "type=hosts&filename=" + hosts.string())
          .status,
      200);
  const auto key = enroll(
      "type=sshkey&user=alice&realm=corp&sshkey=ssh-ed25519%20AAAAC3NzaC1lZDI1NTE5AAAAIE2XqPsHN4"
      "f9iSeLuZ30GTxe2Ho4jk%2FXAxLatFxRN3hx%20alice");
  const std::string key_serial(key.at("detail").at("serial").as_string());
  for (int i = 0; i < 2; ++i) {
    auto attached =
        api_->call("POST", "/machine/token", admin_,
                   "serial=" + key_serial + "&application=ssh&hostname=testhost&user=root");
    ASSERT_EQ(attached.status, 200) << attached.body;
  }
  const auto items =
      json_of(api_->call("GET", "/machine/authitem/ssh?hostname=testhost&user=root", admin_));
  EXPECT_EQ(items.at("result").at("value").at("ssh").as_array().size(), 2u);

  ASSERT_EQ(api_->call("POST", "/policy/cr", admin_,
                       "scope=authentication&action=challenge_response%3Dhotp&realm=corp")
                .status,
            200);
  ASSERT_EQ(api_->call("POST", "/token/set/" + serial, admin_, "count_auth_success_max=0").status,
            200);
  EXPECT_EQ(api_->check("user=alice&realm=corp&pass=pin").authentication, "CHALLENGE");
  const auto challenges = json_of(api_->call("GET", "/token/challenges/", admin_));
  EXPECT_EQ(challenges.at("result").at("value").at("count"), 1);
  const auto clients = json_of(api_->call("GET", "/client/", admin_));
  EXPECT_FALSE(clients.at("result").at("value").as_object().empty());
  EXPECT_EQ(json_of(api_->call("GET", "/stats/current/users_with_token", admin_))
                .at("result")
                .at("value"),
            1);
}

}  // namespace
}  // namespace tessera::testing
