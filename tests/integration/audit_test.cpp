// The audit log: one row per request, readable by admins through GET /audit/, and a hash chain
// whose verification names the first row that was changed or removed.
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <soci/soci.h>
#include <boost/json.hpp>

#include "db/database.hpp"
#include "server/crypto/secret_box.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_http_client.hpp"

namespace tessera::testing {
namespace {

boost::json::object json_of(const TestResponse& r) {
  return boost::json::parse(r.body).as_object();
}

std::string admin_token(TestHttpClient& client, const ServerProcess& server) {
  auto r = client.post(server.url() + "/auth", "username=admin&password=test-admin-pw",
                       "application/x-www-form-urlencoded");
  return std::string(json_of(r).at("result").at("value").at("token").as_string());
}

TestResponse get_audit(const ServerProcess& server, const std::string& token,
                       const std::string& query) {
  TestHttpClient client;
  client.header("Authorization: " + token);
  return client.get(server.url() + "/audit/" + query);
}

TEST(Audit, RecordsEveryRequestForAdmins) {
  ServerProcess server;
  TestHttpClient client;
  client.post(server.url() + "/auth", "username=admin&password=wrong",
              "application/x-www-form-urlencoded");
  client.get(server.url() + "/healthz");  // probes are not audited
  const auto token = admin_token(client, server);
  auto r = get_audit(server, token, "?action=POST%20/auth");
  ASSERT_EQ(r.status, 200) << r.body;
  auto value = json_of(r).at("result").at("value").as_object();
  ASSERT_EQ(value.at("count"), 2);
  const auto& rows = value.at("auditdata").as_array();
  const auto& newest = rows[0].as_object();
  const auto& failed = rows[1].as_object();
  EXPECT_EQ(newest.at("success"), true);
  EXPECT_EQ(newest.at("user"), "admin");
  EXPECT_EQ(newest.at("client"), "127.0.0.1");
  EXPECT_EQ(failed.at("success"), false);
  EXPECT_EQ(failed.at("info"), "wrong credentials");
  auto everything = json_of(get_audit(server, token, "")).at("result").at("value").as_object();
  for (const auto& row : everything.at("auditdata").as_array())
    EXPECT_NE(row.at("action"), "GET /healthz");
}

TEST(Audit, PagesThroughTheLog) {
  ServerProcess server;
  TestHttpClient client;
  const auto token = admin_token(client, server);
  for (int i = 0; i < 3; ++i) client.get(server.url() + "/nothing-here");
  auto value =
      json_of(get_audit(server, token, "?page_size=2&page=1")).at("result").at("value").as_object();
  EXPECT_EQ(value.at("auditdata").as_array().size(), 2u);
  EXPECT_EQ(value.at("next"), 2);
  EXPECT_TRUE(value.at("prev").is_null());
  EXPECT_EQ(get_audit(server, token, "?page_size=100000").status, 400);
  EXPECT_EQ(get_audit(server, token, "?success=maybe").status, 400);
}

TEST(Audit, FiltersByTime) {
  ServerProcess server;
  TestHttpClient client;
  const auto token = admin_token(client, server);
  client.get(server.url() + "/before");
  // Into the next whole second, so that a bound in seconds falls between the two requests.
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto second = std::chrono::duration_cast<std::chrono::seconds>(now).count() + 1;
  std::this_thread::sleep_for(std::chrono::seconds(second) - now + std::chrono::milliseconds(50));
  client.get(server.url() + "/after");
  // Both are "GET unmatched"; the searches below are audited too, so only those rows count.
  auto count = [&](const std::string& bounds) {
    auto r = get_audit(server, token, "?action=GET%20unmatched" + bounds);
    EXPECT_EQ(r.status, 200) << bounds << ": " << r.body;
    return json_of(r).at("result").at("value").at("count").as_int64();
  };
  const auto s = std::to_string(second);
  EXPECT_EQ(count("&since=" + s), 1);
  EXPECT_EQ(count("&until=" + s), 1);
  EXPECT_EQ(count("&since=" + s + "&until=" + s), 0);
  EXPECT_EQ(count("&timelimit=1h"), 2);
  EXPECT_EQ(count("&since=" + std::to_string(second + 3600)), 0);
  for (const char* bad :
       {"?timelimit=2x", "?timelimit=h", "?timelimit=-1d", "?since=soon", "?until=1.5"})
    EXPECT_EQ(get_audit(server, token, bad).status, 400) << bad;
}

TEST(Audit, NeedsAValidToken) {
  ServerProcess server;
  TestHttpClient client;
  auto missing = client.get(server.url() + "/audit/");
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(json_of(missing).at("result").at("error").at("code"), 4033);
  auto forged = get_audit(server, "eyJhbGciOiJub25lIn0.eyJyb2xlIjoiYWRtaW4ifQ.", "");
  EXPECT_EQ(forged.status, 401);
  EXPECT_EQ(json_of(forged).at("result").at("error").at("code"), 4305);
  EXPECT_EQ(get_audit(server, "Bearer " + admin_token(client, server), "").status, 200);
}

class AuditVerification : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("tessera-audit-verify");
    {
      ServerProcess server({}, dir_);
      TestHttpClient client;
      for (int i = 0; i < 5; ++i) client.get(server.url() + "/missing/" + std::to_string(i));
    }  // the server flushes its audit queue when it stops
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  CommandResult verify() {
    return run_server_command({"--config", (dir_ / "tessera.yaml").string(), "audit", "verify"});
  }
  void sql(const std::string& statement) {
    soci::session session("sqlite3", "db=" + (dir_ / "data" / "tessera.db").string());
    session << statement;
  }
  std::filesystem::path dir_;
};

TEST_F(AuditVerification, AcceptsAnUntouchedLog) {
  auto r = verify();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("audit log OK: 5 rows"), std::string::npos) << r.out;
}

TEST_F(AuditVerification, NamesAChangedRow) {
  sql("UPDATE audit SET info = 'nothing happened' WHERE id = 2");
  auto r = verify();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("row 2 was changed"), std::string::npos) << r.err;
}

// The actor columns came later; the chain covers them as well.
TEST_F(AuditVerification, NamesARowWhoseActorWasChanged) {
  sql("UPDATE audit SET actor_user = 'mallory', actor_realm = 'corp' WHERE id = 3");
  auto r = verify();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("row 3 was changed"), std::string::npos) << r.err;
}

TEST_F(AuditVerification, NamesARemovedRow) {
  sql("DELETE FROM audit WHERE id = 3");
  auto r = verify();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("row 3 is missing"), std::string::npos) << r.err;
}

TEST_F(AuditVerification, NoticesTheNewestRowsRemoved) {
  sql("DELETE FROM audit WHERE id >= 4");
  auto r = verify();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(
      r.err.find("the newest rows were removed: the log ends at row 3 but its head names row 5"),
      std::string::npos)
      << r.err;
}

TEST_F(AuditVerification, NoticesAHeadMovedBackOverRemovedRows) {
  sql("DELETE FROM audit WHERE id >= 4");
  sql("UPDATE audit_head SET last_id = 3, last_hash = (SELECT hash FROM audit WHERE id = 3)");
  auto r = verify();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the chain head was changed"), std::string::npos) << r.err;
}

TEST_F(AuditVerification, ARebuiltChainWithoutTheKeyFails) {
  // Whoever edits a row cannot recompute its hash without the key: copying another row's hash
  // does not help.
  sql("UPDATE audit SET hash = (SELECT hash FROM audit WHERE id = 1) WHERE id = 2");
  EXPECT_NE(verify().err.find("row 2 was changed"), std::string::npos);
}

TEST(Audit, StoresOddBytesSafelyAndTheChainStillVerifies) {
  auto dir = make_temp_dir("tessera-audit-bytes");
  {
    ServerProcess server({}, dir);
    TestHttpClient client;
    // A NUL and a newline in the user name: valid UTF-8, stored as '?'.
    client.post(server.url() + "/auth", "username=a%00b%0Ad&password=x",
                "application/x-www-form-urlencoded");
    auto rows = json_of(get_audit(server, admin_token(client, server), "?success=0"));
    EXPECT_EQ(rows.at("result").at("value").at("auditdata").as_array()[0].at("user"), "a?b?d");
  }
  auto r = run_server_command({"--config", (dir / "tessera.yaml").string(), "audit", "verify"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::filesystem::remove_all(dir);
}

// Invalid UTF-8 (stray bytes, overlong forms, surrogates, beyond U+10FFFF) is refused before
// any handler runs, and neither the answer nor the audit log carries it.
TEST(Audit, InvalidUtf8IsRefusedAndNeverEchoed) {
  ServerProcess server;
  TestHttpClient client;
  const auto token = admin_token(client, server);
  const auto is_utf8_json = [](const std::string& body) {
    boost::system::error_code ec;
    boost::json::parse(body, ec);  // Boost.JSON refuses invalid UTF-8
    return !ec;
  };
  TestHttpClient admin;
  admin.header("Authorization: " + token);
  const auto path = admin.post(server.url() + "/token/disable/%FF%FE", "", "");
  EXPECT_EQ(path.status, 400) << path.body;
  EXPECT_TRUE(is_utf8_json(path.body)) << path.body;
  for (const char* bytes : {"%C0%AF", "%E0%80%AF", "%ED%A0%80", "%F4%90%80%80", "%F5%80%80%80"}) {
    const auto r =
        client.post(server.url() + "/auth", std::string("username=TAG") + bytes + "x&password=x",
                    "application/x-www-form-urlencoded");
    EXPECT_EQ(r.status, 400) << bytes << ": " << r.body;
    EXPECT_NE(r.body.find("not valid UTF-8"), std::string::npos) << r.body;
    EXPECT_TRUE(is_utf8_json(r.body)) << r.body;
  }
  const auto audit = get_audit(server, token, "?page_size=50");
  ASSERT_EQ(audit.status, 200);
  EXPECT_TRUE(is_utf8_json(audit.body)) << "GET /audit/ stays valid JSON text";
  EXPECT_EQ(audit.body.find("TAG"), std::string::npos) << "no handler ran for them";
}

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(SecretsAtRest, TheDatabaseFileHoldsNoSecretInPlaintext) {
  auto dir = make_temp_dir("tessera-dump");
  {
    ServerProcess server({}, dir);
    TestHttpClient client;
    admin_token(client, server);
  }
  const auto data = dir / "data";
  std::string dump = read_all(data / "tessera.db") + read_all(data / "tessera.db-wal");
  ASSERT_FALSE(dump.empty());
  EXPECT_EQ(dump.find("test-admin-pw"), std::string::npos) << "the admin password";
  // The server-wide keys are stored, but only sealed: their plaintext is nowhere in the file.
  auto box = crypto::SecretBox::load_or_create(data / "encryption.key");
  soci::session session("sqlite3", "db=" + (data / "tessera.db").string());
  for (std::string name : {"jwt_hs256", "audit_hmac"}) {
    std::string sealed;
    session << "SELECT sealed_value FROM server_secret WHERE name = :n", soci::use(name),
        soci::into(sealed);
    ASSERT_FALSE(sealed.empty()) << name;
    auto plaintext = box.open(sealed, "server_secret:" + name);
    EXPECT_EQ(dump.find(plaintext), std::string::npos) << name;
  }
  const auto key_file = read_all(data / "encryption.key");
  EXPECT_EQ(dump.find(key_file.substr(key_file.find(':') + 1, 40)), std::string::npos)
      << "the key file";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tessera::testing
