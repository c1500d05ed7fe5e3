// No more guesses are evaluated than the limits allow, however many arrive at once: parallel
// wrong /auth logins against auth.lockout.max_failures and parallel wrong OTPs against
// max_fail, on SQLite and on PostgreSQL. Each attempt is counted before it is checked; the
// audit log tells checked failures, the moment of locking and refusals without a check apart.
#include <latch>
#include <thread>

#include "tests/integration/postgres_fixture.hpp"
#include "tests/integration/token_fixture.hpp"

namespace tessera::testing {
namespace {

class GuessLimits : public ::testing::TestWithParam<const char*> {
 protected:
  ServerOptions options(const std::string& top_extra = "") {
    ServerOptions o{.plugin_directories = {TESSERA_PLUGIN_DIR}, .top_extra = top_extra};
    if (std::string(GetParam()) == "postgresql")
      o.database_url = fresh_postgres_database("tessera_guesses");
    return o;
  }

  // Runs n copies of attempt at the same instant; returns what each answered.
  template <class Attempt>
  static std::vector<std::string> at_once(int n, Attempt attempt) {
    std::latch ready(n);
    std::vector<std::string> answers(static_cast<size_t>(n));
    std::vector<std::thread> clients;
    for (int i = 0; i < n; ++i)
      clients.emplace_back([&, i] {
        ready.arrive_and_wait();
        answers[static_cast<size_t>(i)] = attempt();
      });
    for (auto& t : clients) t.join();
    return answers;
  }

  static std::vector<std::string> audit_infos(TokenApi& api, const std::string& admin,
                                              const std::string& action, size_t expected) {
    std::vector<std::string> infos;
    eventually(
        [&] {
          infos.clear();
          const auto body = json_of(api.call("GET", "/audit/?page_size=100&action=" + action,
                                             admin));  // kept: the loop walks into it
          for (const auto& row : body.at("result").at("value").at("auditdata").as_array())
            if (row.at("success") == false) infos.emplace_back(row.at("info").as_string());
          return infos.size() >= expected;
        },
        10);
    return infos;
  }

  // A realm corp with alice (password alice-password) and an admin token; returns the token.
  static std::string with_alice(TokenApi& api) {
    const auto admin = api.login("admin", "test-admin-pw");
    EXPECT_FALSE(admin.empty());
    EXPECT_EQ(api.call("POST", "/resolver/local", admin, "type=sql").status, 200);
    EXPECT_EQ(api.call("POST", "/realm/corp", admin, "resolvers=local").status, 200);
    EXPECT_EQ(api.call("POST", "/user/", admin, "user=alice&resolver=local&password=alice-password")
                  .status,
              200);
    return admin;
  }
};

TEST_P(GuessLimits, ParallelWrongLoginsGetNoMoreChecksThanMaxFailures) {
  ServerProcess server(
      options("auth:\n  lockout: { max_failures: 5, window_seconds: 300, lock_seconds: 300 }\n"));
  TokenApi api(server.url());
  const auto admin = with_alice(api);
  const auto answers = at_once(16, [&] {
    auto r = api.client()->post(server.url() + "/auth", "username=alice&realm=corp&password=wrong",
                                kForm);
    return r.status == 401 && r.body.find("wrong credentials") != std::string::npos
               ? std::string("refused")
               : r.body;
  });
  for (const auto& answer : answers) EXPECT_EQ(answer, "refused") << "every answer is the same";
  EXPECT_TRUE(api.login("alice", "alice-password", "corp").empty()) << "locked, even so";

  const auto infos = audit_infos(api, admin, "POST%20/auth", 17);
  int checked = 0, locking = 0, unchecked = 0;
  for (const auto& info : infos) {
    if (info == "wrong credentials") ++checked;
    if (info.starts_with("wrong credentials; the account is now locked for 300 s")) ++locking;
    if (info.starts_with("refused without a check: the account is locked")) ++unchecked;
  }
  EXPECT_EQ(checked + locking, 5) << "no more passwords checked than max_failures";
  EXPECT_EQ(locking, 1) << "one attempt locked it";
  EXPECT_EQ(unchecked, 12) << "11 guesses and the right password, refused unchecked";
}

TEST_P(GuessLimits, ParallelWrongOtpsGetNoMoreEvaluationsThanMaxFail) {
  ServerProcess server(options());
  TokenApi api(server.url());
  const auto admin = with_alice(api);
  ASSERT_EQ(
      api.call("POST", "/policy/limit", admin, "scope=authentication&action=max_fail=10").status,
      200);
  ASSERT_EQ(
      api.call("POST", "/token/init", admin, "type=hotp&user=alice&realm=corp&otpkey=" + kSeed20)
          .status,
      200);
  const auto answers =
      at_once(40, [&] { return api.check("user=alice&realm=corp&pass=000000").message; });
  int evaluated = 0, refused = 0;
  for (const auto& message : answers) {
    if (message == "wrong otp value") ++evaluated;
    if (message == "Failcounter exceeded") ++refused;
  }
  EXPECT_EQ(evaluated, 10) << "no more values evaluated than max_fail";
  EXPECT_EQ(refused, 30);
  EXPECT_EQ(api.check("user=alice&realm=corp&pass=755224").message, "Failcounter exceeded")
      << "the right value, not evaluated either";
}

INSTANTIATE_TEST_SUITE_P(Databases, GuessLimits, ::testing::Values("sqlite", "postgresql"));

}  // namespace
}  // namespace tessera::testing
