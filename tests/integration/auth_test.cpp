// POST /auth, lockout and the admin command line against the real binary and database.
#include <fstream>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "db/auth_failure_repository.hpp"
#include "tests/support/host_fixture.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_http_client.hpp"

namespace tessera::testing {
namespace {

boost::json::object json_of(const TestResponse& r) {
  return boost::json::parse(r.body).as_object();
}

TestResponse login(TestHttpClient& client, const ServerProcess& server, const std::string& user,
                   const std::string& password) {
  return client.post(server.url() + "/auth", "username=" + user + "&password=" + password,
                     "application/x-www-form-urlencoded");
}

TEST(Auth, AdminLogsInAndGetsAToken) {
  ServerProcess server;
  TestHttpClient client;
  auto r = login(client, server, "admin", "test-admin-pw");
  ASSERT_EQ(r.status, 200) << r.body;
  auto value = json_of(r).at("result").at("value").as_object();
  EXPECT_EQ(value.at("role"), "admin");
  EXPECT_EQ(value.at("username"), "admin");
  EXPECT_EQ(
      std::count(value.at("token").as_string().begin(), value.at("token").as_string().end(), '.'),
      2);
  // JSON bodies work the same way.
  auto json = client.post(server.url() + "/auth",
                          R"({"username":"admin","password":"test-admin-pw"})", "application/json");
  EXPECT_EQ(json.status, 200);
}

TEST(Auth, WrongPasswordAndUnknownAccountLookTheSame) {
  ServerProcess server;
  TestHttpClient client;
  auto wrong = login(client, server, "admin", "nope");
  auto unknown = login(client, server, "nobody", "nope");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  auto error = [](const TestResponse& r) { return json_of(r).at("result").at("error"); };
  EXPECT_EQ(error(wrong).at("code"), 4031);
  EXPECT_EQ(error(wrong), error(unknown));
  EXPECT_EQ(server.err().find("nope"), std::string::npos) << "no password in any log line";
}

TEST(Auth, RepeatedFailuresLockTheAccountForThisClient) {
  ServerProcess server(
      {.top_extra =
           "auth:\n  lockout: { max_failures: 3, window_seconds: 60, lock_seconds: 60 }\n"});
  TestHttpClient client;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(login(client, server, "admin", "wrong").status, 401);
  // Now even the right password is refused, with the same answer as a wrong one.
  auto locked = login(client, server, "admin", "test-admin-pw");
  EXPECT_EQ(locked.status, 401);
  EXPECT_EQ(json_of(locked).at("result").at("error").at("code"), 4031);
}

class Lockout : public HostFixture {};

TEST_F(Lockout, CountsPerAccountAndClientWithinTheWindow) {
  db::AuthFailureRepository failures(*database_,
                                     {3, std::chrono::seconds(60), std::chrono::seconds(300)});
  const long long t = 1'000'000;
  for (int i = 0; i < 3; ++i) {
    const auto attempt = failures.claim_attempt("admin", "10.0.0.1", t + i);
    ASSERT_TRUE(attempt) << i;
    EXPECT_EQ(attempt->locks_on_failure, i == 2) << "the third attempt is the last";
  }
  EXPECT_FALSE(failures.claim_attempt("admin", "10.0.0.1", t + 3)) << "locked: nothing checked";
  EXPECT_TRUE(failures.claim_attempt("admin", "10.0.0.2", t + 3))
      << "another client is not locked out";
  EXPECT_TRUE(failures.claim_attempt("bob", "10.0.0.1", t + 3)) << "another account is not locked";
  EXPECT_TRUE(failures.claim_attempt("admin", "10.0.0.1", t + 2 + 301)) << "the lock ends";
  // Failures spread wider than the window never lock.
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(failures.claim_attempt("carol", "10.0.0.1", t + i * 61));
  // A success clears the count.
  failures.clear("bob", "10.0.0.1");
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(failures.claim_attempt("bob", "10.0.0.1", t + 4));
}

class AdminCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("tessera-admin-cli");
    std::ofstream(dir_ / "tessera.yaml") << make_config({}, dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  CommandResult admin(const std::vector<std::string>& args, const std::string& input = "") {
    std::ofstream(dir_ / "stdin") << input;
    std::vector<std::string> all{"--config", (dir_ / "tessera.yaml").string(), "admin"};
    all.insert(all.end(), args.begin(), args.end());
    return run_server_command(all, {}, dir_ / "stdin");
  }
  std::filesystem::path dir_;
};

TEST_F(AdminCommand, AddsListsChangesAndDeletesAdmins) {
  auto added = admin({"add", "alice"}, "correct horse\n");
  EXPECT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(admin({"list"}).out.find("alice"), std::string::npos);
  EXPECT_EQ(admin({"add", "alice"}, "another pw\n").exit_code, 1) << "names are unique";
  EXPECT_NE(admin({"add", "bob"}, "short\n").err.find("at least 8 characters"), std::string::npos);
  EXPECT_EQ(admin({"passwd", "alice"}, "battery staple\n").exit_code, 0);
  EXPECT_NE(admin({"passwd", "nobody"}, "battery staple\n").err.find("no admin named 'nobody'"),
            std::string::npos);
  EXPECT_EQ(admin({"delete", "alice"}).exit_code, 0);
  EXPECT_EQ(admin({"list"}).out.find("alice"), std::string::npos);
  EXPECT_NE(admin({"delete", "alice"}).err.find("no admin named 'alice'"), std::string::npos);
}

TEST_F(AdminCommand, AnAddedAdminCanLogIn) {
  ASSERT_EQ(admin({"add", "alice"}, "correct horse\n").exit_code, 0);
  ServerProcess server({}, dir_);  // the same configuration and database
  TestHttpClient client;
  EXPECT_EQ(login(client, server, "alice", "correct+horse").status, 200);
  ASSERT_EQ(admin({"passwd", "alice"}, "battery staple\n").exit_code, 0);
  EXPECT_EQ(login(client, server, "alice", "correct+horse").status, 401)
      << "the old password is gone";
  EXPECT_EQ(login(client, server, "alice", "battery+staple").status, 200);
}

}  // namespace
}  // namespace tessera::testing
