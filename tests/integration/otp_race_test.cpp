// No replay across processes: many clients send the same valid OTP at the same instant to two
// server processes that share one PostgreSQL database; the conditional UPDATE lets exactly one
// of them through.
#include <latch>
#include <thread>

#include "tests/integration/postgres_fixture.hpp"
#include "tests/integration/token_fixture.hpp"

namespace tessera::testing {
namespace {

TEST(Postgres, TheSameOtpSentToTwoNodesAtOnceIsAcceptedExactlyOnce) {
  const auto url = fresh_postgres_database("tessera_otp_race");
  const auto key_dir = make_temp_dir("tessera-race-key");  // the nodes share one key file
  ServerOptions options{
      .database_url = url,
      .plugin_directories = {TESSERA_PLUGIN_DIR},
      .top_extra = "encryption_key_file: " + (key_dir / "encryption.key").string() + "\n"};
  ServerProcess first(options);
  ServerProcess second(options);
  TokenApi setup(first.url());
  const auto admin = setup.login("admin", "test-admin-pw");
  ASSERT_EQ(setup.call("POST", "/resolver/local", admin, "type=sql").status, 200);
  ASSERT_EQ(setup.call("POST", "/realm/corp", admin, "resolvers=local").status, 200);
  ASSERT_EQ(setup.call("POST", "/user/", admin, "user=alice&resolver=local").status, 200);
  // Every losing request counts as a failure; the token must not lock between rounds.
  ASSERT_EQ(
      setup.call("POST", "/policy/race", admin, "scope=authentication&action=max_fail=1000").status,
      200);
  ASSERT_EQ(
      setup.call("POST", "/token/init", admin, "type=hotp&user=alice&realm=corp&otpkey=" + kSeed20)
          .status,
      200);

  constexpr int kClients = 16;
  const char* values[] = {"755224", "287082", "359152", "969429", "338314"};
  for (const char* value : values) {
    std::latch ready(kClients);
    std::atomic<int> accepted = 0, rejected = 0;
    std::vector<std::thread> clients;
    for (int i = 0; i < kClients; ++i)
      clients.emplace_back([&, i] {
        TokenApi api(i % 2 ? first.url() : second.url());
        ready.arrive_and_wait();
        auto c = api.check(std::string("user=alice&realm=corp&pass=") + value);
        (c.value ? accepted : rejected)++;
      });
    for (auto& t : clients) t.join();
    EXPECT_EQ(accepted.load(), 1) << value;
    EXPECT_EQ(rejected.load(), kClients - 1) << value;
  }
  std::filesystem::remove_all(key_dir);
}

// Rollout transitions on PostgreSQL (BIGSERIAL ids): a certificate waits, is approved, revoked.
TEST(Postgres, RolloutTransitionsAreRecordedInOrder) {
  const auto url = fresh_postgres_database("tessera_transitions");
  ServerProcess node(
      ServerOptions{.database_url = url, .plugin_directories = {TESSERA_PLUGIN_DIR}});
  TokenApi api(node.url());
  const auto admin = api.login("admin", "test-admin-pw");
  ASSERT_EQ(api.call("POST", "/resolver/local", admin, "type=sql").status, 200);
  ASSERT_EQ(api.call("POST", "/realm/corp", admin, "resolvers=local").status, 200);
  ASSERT_EQ(api.call("POST", "/user/", admin, "user=alice&resolver=local").status, 200);
  ASSERT_EQ(api.call("POST", "/caconnector/corp", admin, "type=ca_local").status, 200);
  ASSERT_EQ(
      api.call("POST", "/caconnector/corp/profile/user", admin, "key_types=ec-p256&approval=1")
          .status,
      200);
  const auto csr = shell_output(
      "openssl req -new -nodes -newkey ec -pkeyopt "
      "ec_paramgen_curve:P-256 -keyout /dev/null -subj /CN=x 2>/dev/null");
  auto client = api.client();
  client->header("Authorization: " + admin);
  auto r = client->post(node.url() + "/token/init",
                        boost::json::serialize(boost::json::object{{"type", "certificate"},
                                                                   {"user", "alice"},
                                                                   {"realm", "corp"},
                                                                   {"serial", "CERT1"},
                                                                   {"request", csr}}),
                        "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(api.call("POST", "/token/approve/CERT1", admin).status, 200);
  ASSERT_EQ(api.call("POST", "/token/revoke/CERT1", admin, "reason=superseded").status, 200);
  auto history = json_of(api.call("GET", "/token/history/CERT1", admin));
  std::string path;
  for (const auto& t : history.at("result").at("value").at("transitions").as_array())
    path += std::string(t.at("from").as_string()) + ">" + std::string(t.at("to").as_string()) + " ";
  EXPECT_EQ(path, ">pending pending>enrolled enrolled>revoked ");
}

}  // namespace
}  // namespace tessera::testing
