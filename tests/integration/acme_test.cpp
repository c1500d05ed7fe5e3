// The ACME CA connector against a real Pebble (pebble.sh: External Account Binding required,
// 5% of nonces rejected, every authorization valid once a challenge is answered): a user's CSR
// and a server-made key are issued and verify against the root Pebble's management interface
// serves, a revocation reaches Pebble, and a wrong binding is refused when the connector is made.
#include <ctime>
#include <fstream>
#include <sstream>

#include "tests/integration/postgres_fixture.hpp"
#include "tests/integration/token_fixture.hpp"
#include "tests/support/peer_process.hpp"

namespace tessera::testing {
namespace {

// A value the Pebble fixture wrote (port, management_port, eab_key), without its line end.
std::string pebble_file(const char* name) {
  auto text = read_file(std::filesystem::path(TESSERA_PEBBLE_DIR) / name);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

std::string pebble_port() {
  return pebble_file("port");
}

std::string pebble_management(const std::string& path) {
  return shell_output("curl -sf --cacert " + std::string(TESSERA_PEBBLE_DIR) +
                      "/ca.pem https://127.0.0.1:" + pebble_file("management_port") + path);
}

class Acme : public TokenFixture {
 protected:
  void SetUp() override {
    ASSERT_FALSE(pebble_port().empty()) << "the Pebble fixture is not running";
    start({.top_extra = "events: { poll_interval_seconds: 1 }\n"});
  }

  std::string connector(const std::string& mac_key) {
    return "type=ca_acme&directory_url=https://127.0.0.1:" + pebble_port() +
           "/dir&eab_kid=kid-1&eab_hmac_key=" + mac_key +
           "&terms_agreed=1&ca_file=" + std::string(TESSERA_PEBBLE_DIR) +
           "/ca.pem&answer_challenges=http-01&contact=pki%40corp.example";
  }

  void make_connector() {
    const auto made =
        api_->call("POST", "/caconnector/pebble", admin_, connector(pebble_file("eab_key")));
    ASSERT_EQ(made.status, 200) << made.body;
    const auto profile =
        api_->call("POST", "/caconnector/pebble/profile/device", admin_,
                   "subject.CN=%7Busername%7D.devices.corp.example&san_dns=%7Busername%7D.devices."
                   "corp.example&san_email=0&extended_key_usage=clientAuth,serverAuth&key_types="
                   "ec-p256,rsa-3072&validity_days=365");
    ASSERT_EQ(profile.status, 200) << profile.body;
  }

  TestResponse enroll_json(const boost::json::object& body) {
    auto client = api_->client();
    client->header("Authorization: " + admin_);
    return client->post(server_->url() + "/token/init", boost::json::serialize(body),
                        "application/json");
  }

  // openssl verify against Pebble's root, with its intermediate as the untrusted chain.
  std::string verify(const std::string& certificate_pem) {
    const auto dir = server_->dir();
    write_file(dir / "root.pem", pebble_management("/roots/0"));
    write_file(dir / "intermediate.pem", pebble_management("/intermediates/0"));
    write_file(dir / "leaf.pem", certificate_pem);
    return shell_output("openssl verify -CAfile " + (dir / "root.pem").string() + " -untrusted " +
                        (dir / "intermediate.pem").string() + " " + (dir / "leaf.pem").string() +
                        " 2>&1");
  }
};

TEST_F(Acme, AUsersCsrIsIssuedAndVerifiesAgainstPebblesRoot) {
  make_connector();
  const auto dir = server_->dir();
  ASSERT_EQ(std::system(("openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
                         "-keyout " +
                         (dir / "user.key").string() + " -out " + (dir / "user.csr").string() +
                         " -subj /CN=Mallory -addext subjectAltName=DNS:alice.devices.corp.example "
                         "2>/dev/null")
                            .c_str()),
            0);
  const auto r = enroll_json({{"type", "certificate"},
                              {"user", "alice"},
                              {"realm", "corp"},
                              {"ca", "pebble"},
                              {"profile", "device"},
                              {"request", read_file(dir / "user.csr")}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string serial(json_of(r).at("detail").at("serial").as_string());
  ASSERT_TRUE(eventually([&] { return token(serial).at("rollout_state") == "enrolled"; }, 30))
      << token(serial);
  const auto info = token(serial).at("info").as_object();
  const std::string pem(info.at("certificate").as_string());
  EXPECT_NE(verify(pem).find("leaf.pem: OK"), std::string::npos) << verify(pem);
  write_file(dir / "issued.pem", pem);
  const auto text = shell_output("openssl x509 -noout -subject -ext subjectAltName -in " +
                                 (dir / "issued.pem").string());
  EXPECT_NE(text.find("alice.devices.corp.example"), std::string::npos) << text;
  EXPECT_EQ(text.find("Mallory"), std::string::npos) << "nothing from the CSR but its key";

  // Revoked at Pebble: its management interface reports the certificate revoked.
  ASSERT_EQ(api_->call("POST", "/token/revoke/" + serial, admin_, "reason=keyCompromise").status,
            200);
  const std::string certificate_serial(info.at("certificate_serial").as_string());
  std::string lower;
  for (char c : certificate_serial) lower += static_cast<char>(std::tolower(c));
  const auto status = pebble_management("/cert-status-by-serial/" + lower);
  EXPECT_NE(status.find("\"Status\": \"Revoked\""), std::string::npos) << status;
  const auto outbox = api_->call("GET", "/event/outbox?state=delivered", admin_);
  EXPECT_NE(outbox.body.find("\"handlermodule\":\"@ca\""), std::string::npos) << outbox.body;
}

TEST_F(Acme, AServerMadeKeyComesAsAPkcs12) {
  make_connector();
  const auto r = enroll_json({{"type", "certificate"},
                              {"user", "bob"},
                              {"realm", "corp"},
                              {"ca", "pebble"},
                              {"profile", "device"},
                              {"genkey", "1"},
                              {"password", "p12-password"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto detail = json_of(r).at("detail").as_object();
  EXPECT_EQ(detail.at("rollout_state"), "enrolled");
  const std::string serial(detail.at("serial").as_string());
  const std::string pem(token(serial).at("info").at("certificate").as_string());
  EXPECT_NE(verify(pem).find("leaf.pem: OK"), std::string::npos) << verify(pem);
  EXPECT_TRUE(detail.contains("pkcs12"));
}

// An ip identifier (RFC 8738) beside the DNS name, for a device whose address the admin gives.
TEST_F(Acme, ADevicesIpAddressIsOrderedBesideItsName) {
  make_connector();
  ASSERT_EQ(api_->call("POST", "/caconnector/pebble/profile/server", admin_,
                       "subject.CN=%7Busername%7D.devices.corp.example&san_dns=%7Busername%7D."
                       "devices.corp.example&san_ip=1&san_email=0&extended_key_usage=clientAuth,"
                       "serverAuth&key_types=ec-p256")
                .status,
            200);
  const auto r = enroll_json({{"type", "certificate"},
                              {"user", "bob"},
                              {"realm", "corp"},
                              {"ca", "pebble"},
                              {"profile", "server"},
                              {"genkey", "1"},
                              {"ip", "192.0.2.7"},
                              {"password", "p12-password"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string serial(json_of(r).at("detail").at("serial").as_string());
  const std::string pem(token(serial).at("info").at("certificate").as_string());
  EXPECT_NE(verify(pem).find("leaf.pem: OK"), std::string::npos) << verify(pem);
  write_file(server_->dir() / "server.pem", pem);
  const auto text = shell_output("openssl x509 -noout -ext subjectAltName -in " +
                                 (server_->dir() / "server.pem").string());
  EXPECT_NE(text.find("IP Address:192.0.2.7"), std::string::npos) << text;
  EXPECT_NE(text.find("DNS:bob.devices.corp.example"), std::string::npos) << text;
}

TEST_F(Acme, AWrongBindingOrAnythingButAnAcmeDirectoryIsRefusedAtCreation) {
  const auto wrong = api_->call("POST", "/caconnector/pebble", admin_,
                                connector("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
  EXPECT_EQ(wrong.status, 400);
  EXPECT_NE(wrong.body.find("the ACME CA refused"), std::string::npos) << wrong.body;
  EXPECT_NE(wrong.body.find("(unauthorized)"), std::string::npos) << wrong.body;
  const auto not_acme =
      api_->call("POST", "/caconnector/other", admin_,
                 "type=ca_acme&directory_url=https://127.0.0.1:" + pebble_port() +
                     "/nothing&ca_file=" + std::string(TESSERA_PEBBLE_DIR) + "/ca.pem");
  EXPECT_EQ(not_acme.status, 400);
  EXPECT_NE(not_acme.body.find("is not an ACME directory"), std::string::npos) << not_acme.body;
  const auto no_eab = api_->call("POST", "/caconnector/other", admin_,
                                 "type=ca_acme&directory_url=https://127.0.0.1:" + pebble_port() +
                                     "/dir&ca_file=" + std::string(TESSERA_PEBBLE_DIR) + "/ca.pem");
  EXPECT_EQ(no_eab.status, 400);
  EXPECT_NE(no_eab.body.find("requires External Account Binding"), std::string::npos)
      << no_eab.body;
  EXPECT_EQ(json_of(api_->call("GET", "/caconnector/", admin_))
                .at("result")
                .at("value")
                .as_array()
                .size(),
            0u)
      << "nothing was stored";
}

// The connector's admin actions: a key rollover that Pebble takes (it checks both signatures of
// keyChange, and every later request's), twice in a row, so the second is signed with the key
// the first made; an action it does not have is refused with the ones it has.
TEST_F(Acme, TheAccountKeyRollsOverAndIssuanceGoesOnWithTheNewKey) {
  make_connector();
  const auto actions = api_->call("GET", "/caconnector/pebble/actions", admin_);
  ASSERT_EQ(actions.status, 200) << actions.body;
  const auto body = json_of(actions);
  const auto& listed = body.at("result").at("value").as_array();
  ASSERT_EQ(listed.size(), 2u) << actions.body;
  EXPECT_EQ(listed[0].at("name"), "roll_over_account_key");
  EXPECT_EQ(listed[0].at("on_delete"), false);
  EXPECT_EQ(listed[1].at("name"), "deactivate_account");
  EXPECT_EQ(listed[1].at("on_delete"), true);

  const auto unknown = api_->call("POST", "/caconnector/pebble/action/reboot", admin_);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("it has: roll_over_account_key, deactivate_account"),
            std::string::npos)
      << unknown.body;

  for (int i = 0; i < 2; ++i) {
    const auto rolled =
        api_->call("POST", "/caconnector/pebble/action/roll_over_account_key", admin_);
    ASSERT_EQ(rolled.status, 200) << rolled.body;
    EXPECT_NE(rolled.body.find("signs with a new key from now on"), std::string::npos)
        << rolled.body;
  }
  const auto r = enroll_json({{"type", "certificate"},
                              {"user", "bob"},
                              {"realm", "corp"},
                              {"ca", "pebble"},
                              {"profile", "device"},
                              {"genkey", "1"},
                              {"password", "p12-password"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r).at("detail").at("rollout_state"), "enrolled") << r.body;
  const auto audit = api_->call("GET", "/audit/?page_size=100", admin_);
  EXPECT_NE(audit.body.find("action roll_over_account_key of CA connector pebble"),
            std::string::npos)
      << audit.body;
}

// Deactivation on request as the connector is deleted: the CA is told first (a refusal would
// keep the connector), the account is forgotten, and the same name registers a new account.
TEST_F(Acme, ADeletionCanDeactivateTheAccountAtTheCaFirst) {
  make_connector();
  const auto not_on_delete =
      api_->call("DELETE", "/caconnector/pebble?run=roll_over_account_key", admin_);
  EXPECT_EQ(not_on_delete.status, 400);
  EXPECT_NE(not_on_delete.body.find("has no action to run as it is deleted"), std::string::npos)
      << not_on_delete.body;
  ASSERT_EQ(api_->call("GET", "/caconnector/pebble", admin_).status, 200) << "still there";

  // Deleted with its account deactivated; the audit row names the account.
  const auto delete_deactivating = [&] {
    const auto deleted = api_->call("DELETE", "/caconnector/pebble?run=deactivate_account", admin_);
    EXPECT_EQ(deleted.status, 200) << deleted.body;
    EXPECT_EQ(api_->call("GET", "/caconnector/pebble", admin_).status, 404);
    const auto audit = api_->call("GET", "/audit/?page_size=100", admin_).body;
    const std::string said = "after deactivate_account: the ACME account ";
    const auto at = audit.find(said);  // the newest row comes first
    if (at == std::string::npos) return std::string("none in ") + audit;
    return audit.substr(at + said.size(), audit.find(' ', at + said.size()) - at - said.size());
  };
  const auto first_account = delete_deactivating();
  ASSERT_TRUE(first_account.starts_with("https://")) << first_account;

  // The same name registers a new account (Pebble refuses anything signed for a deactivated
  // one), which issues, and is the one deactivated next.
  make_connector();
  const auto r = enroll_json({{"type", "certificate"},
                              {"user", "bob"},
                              {"realm", "corp"},
                              {"ca", "pebble"},
                              {"profile", "device"},
                              {"genkey", "1"},
                              {"password", "p12-password"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r).at("detail").at("rollout_state"), "enrolled") << r.body;
  const auto second_account = delete_deactivating();
  EXPECT_TRUE(second_account.starts_with("https://")) << second_account;
  EXPECT_NE(second_account, first_account);
}

// Two nodes on one PostgreSQL share one ACME account: the second finds the first's (sealed) in
// the plugin store and issues with it, registering none of its own.
class AcmeOnTwoNodes : public Acme {
 protected:
  void SetUp() override {
    ASSERT_FALSE(pebble_port().empty()) << "the Pebble fixture is not running";
    url_ = fresh_postgres_database("tessera_acme");
    key_dir_ = make_temp_dir("tessera-acme-key");
    start({.database_url = url_, .top_extra = key_option()});
  }
  void TearDown() override { std::filesystem::remove_all(key_dir_); }
  std::string key_option() const {
    return "encryption_key_file: " + (key_dir_ / "encryption.key").string() + "\n";
  }
  long long stored(const std::string& key) {
    const auto url = url_.substr(url_.rfind('/') + 1);
    return std::stoll(shell_output("psql -h 127.0.0.1 -p " + postgres_port() + " -U postgres -d " +
                                   url +
                                   " -tAc \"SELECT COUNT(*) FROM plugin_store WHERE plugin_id = "
                                   "'org.tessera.ca_acme' AND item_key = '" +
                                   key + "'\""));
  }
  std::string url_;
  std::filesystem::path key_dir_;
};

TEST_F(AcmeOnTwoNodes, TheSecondNodeUsesTheFirstNodesAccount) {
  make_connector();  // on the first node: the account is registered
  ASSERT_EQ(stored("account"), 1);
  ServerProcess second({.database_url = url_,
                        .plugin_directories = {TESSERA_PLUGIN_DIR},
                        .top_extra = key_option()});
  TokenApi on_second(second.url(), "");
  const auto admin = on_second.login("admin", "test-admin-pw");
  auto client = on_second.client();
  client->header("Authorization: " + admin);
  const auto r =
      client->post(second.url() + "/token/init",
                   boost::json::serialize(boost::json::object{{"type", "certificate"},
                                                              {"user", "bob"},
                                                              {"realm", "corp"},
                                                              {"ca", "pebble"},
                                                              {"profile", "device"},
                                                              {"genkey", "1"},
                                                              {"password", "p12-password"}}),
                   "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r).at("detail").at("rollout_state"), "enrolled");
  EXPECT_EQ(stored("account"), 1) << "one account";
  EXPECT_EQ(stored("account_key"), 1) << "claimed once, insert-if-absent";
}

// A key rolled over on the first node is the one the second signs with next, although it had
// read the old one (Pebble refuses a request signed with an account's old key).
TEST_F(AcmeOnTwoNodes, AKeyRolledOverOnOneNodeIsUsedByTheOther) {
  make_connector();
  ServerProcess second({.database_url = url_,
                        .plugin_directories = {TESSERA_PLUGIN_DIR},
                        .top_extra = key_option()});
  TokenApi on_second(second.url(), "");
  const auto admin = on_second.login("admin", "test-admin-pw");
  const auto issue = [&] {
    auto client = on_second.client();
    client->header("Authorization: " + admin);
    return client->post(second.url() + "/token/init",
                        boost::json::serialize(boost::json::object{{"type", "certificate"},
                                                                   {"user", "bob"},
                                                                   {"realm", "corp"},
                                                                   {"ca", "pebble"},
                                                                   {"profile", "device"},
                                                                   {"genkey", "1"},
                                                                   {"password", "p12-password"}}),
                        "application/json");
  };
  const auto before = issue();
  ASSERT_EQ(before.status, 200) << before.body;
  ASSERT_EQ(json_of(before).at("detail").at("rollout_state"), "enrolled") << before.body;
  ASSERT_EQ(api_->call("POST", "/caconnector/pebble/action/roll_over_account_key", admin_).status,
            200);
  const auto after = issue();
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(json_of(after).at("detail").at("rollout_state"), "enrolled") << after.body;
}

// What Pebble cannot show, against acme_double.py (built from RFC 8555's and RFC 8823's
// examples; it checks no signatures): an order that stays processing is collected by the host's
// poller, also after a restart; an invalid order denies the token with the CA's reason; a rate
// limit and an unanswerable challenge are refused with the CA's words; e-mail identifiers.
class AcmeDouble : public Acme {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("tessera-acme-double");
    double_ = std::make_unique<Peer>(std::vector<std::string>{
        "/usr/bin/python3", std::string(TESSERA_TEST_SCRIPTS) + "/acme_double.py", dir_.string()});
    ASSERT_TRUE(eventually([&] { return std::filesystem::exists(dir_ / "port"); }, 20));
    start({.top_extra = "events: { poll_interval_seconds: 1 }\n"});
    const auto made =
        api_->call("POST", "/caconnector/double", admin_,
                   "type=ca_acme&directory_url=https://127.0.0.1:" + read_file(dir_ / "port") +
                       "/dir&ca_file=" + (dir_ / "tls.pem").string());
    ASSERT_EQ(made.status, 200) << made.body;
    for (const auto& [name, params] : std::vector<std::pair<std::string, std::string>>{
             {"slow", "subject.CN=slow.%7Busername%7D.example&san_dns=slow.%7Busername%7D.example"},
             {"later",
              "subject.CN=later.%7Busername%7D.example&san_dns=later.%7Busername%7D.example"},
             {"bad", "subject.CN=bad.%7Busername%7D.example&san_dns=bad.%7Busername%7D.example"},
             {"limited",
              "subject.CN=limited.%7Busername%7D.example&san_dns=limited.%7Busername%7D.example"},
             {"challenge",
              "subject.CN=challenge.%7Busername%7D.example&san_dns=challenge.%"
              "7Busername%7D.example"},
             {"plain",
              "subject.CN=plain.%7Busername%7D.example&san_dns=plain.%7Busername%7D.example"},
             {"mail", "subject.CN=%7Bemail%7D&san_email=1"},
             {"device",
              "subject.CN=device.%7Busername%7D.example&san_dns=device.%7Busername%7D.example&"
              "san_ip=1&san_permanent_identifier=1"}})
      ASSERT_EQ(api_->call("POST", "/caconnector/double/profile/" + name, admin_,
                           params + (name == "mail" ? "" : "&san_email=0") +
                               "&key_types=ec-p256&validity_days=365")
                    .status,
                200)
          << name;
    ASSERT_EQ(
        api_->call("PUT", "/user/", admin_, "user=alice&resolver=local&email=alice%40corp.example")
            .status,
        200);
  }
  void TearDown() override {
    TokenFixture::TearDown();
    double_.reset();
    std::filesystem::remove_all(dir_);
  }
  // alice's CSR naming dns (or nothing), enrolled under profile.
  TestResponse request(const std::string& profile, const std::string& dns) {
    const auto dir = server_->dir();
    EXPECT_EQ(
        std::system(("openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
                     "-keyout /dev/null -out " +
                     (dir / "user.csr").string() + " -subj /CN=x" +
                     (dns.empty() ? "" : " -addext subjectAltName=DNS:" + dns) + " 2>/dev/null")
                        .c_str()),
        0);
    return enroll_json({{"type", "certificate"},
                        {"user", "alice"},
                        {"realm", "corp"},
                        {"ca", "double"},
                        {"profile", profile},
                        {"request", read_file(dir / "user.csr")}});
  }
  std::filesystem::path dir_;
  std::unique_ptr<Peer> double_;
};

TEST_F(AcmeDouble, AnOrderStillProcessingIsCollectedByThePollerAlsoAfterARestart) {
  const auto r = request("slow", "slow.alice.example");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r).at("detail").at("rollout_state"), "pending");
  const std::string serial(json_of(r).at("detail").at("serial").as_string());
  EXPECT_TRUE(
      std::string(token(serial).at("info").at("ca_request_id").as_string()).find("/order/") !=
      std::string::npos);
  // The server goes down while the CA works; the next one carries on.
  const auto dir = server_->dir();
  server_->signal(SIGTERM);
  server_->wait_exit();
  server_ = std::make_unique<ServerProcess>(
      ServerOptions{.plugin_directories = {TESSERA_PLUGIN_DIR},
                    .top_extra = "events: { poll_interval_seconds: 1 }\n"},
      dir);
  api_ = std::make_unique<TokenApi>(server_->url(), "");
  admin_ = api_->login("admin", "test-admin-pw");
  ASSERT_TRUE(eventually([&] { return token(serial).at("rollout_state") == "enrolled"; }, 40))
      << token(serial);
  EXPECT_NE(std::string(token(serial).at("info").at("certificate").as_string()).find("BEGIN"),
            std::string::npos);
}

// The CA's Retry-After is honoured: the poller does not ask before it (the CA double answers
// every "processing" with Retry-After: 4, and the poller's own first interval is 1 s).
TEST_F(AcmeDouble, ThePollerWaitsAsLongAsTheCasRetryAfterSays) {
  const auto r = request("later", "later.alice.example");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string serial(json_of(r).at("detail").at("serial").as_string());
  const auto asked = std::time(nullptr);
  const auto next = token(serial).at("info").at("next_poll_at").as_int64();
  EXPECT_GE(next, asked + 3) << "not sooner than the CA said";
  EXPECT_LE(next, asked + 5);
  ASSERT_TRUE(eventually([&] { return token(serial).at("rollout_state") == "enrolled"; }, 40));
  // 2 polls of the host, each at least 4 s after the answer before.
  EXPECT_GE(std::time(nullptr) - asked, 7);
}

TEST_F(AcmeDouble, AnInvalidOrderDeniesTheTokenWithTheCasReason) {
  const auto r = request("bad", "bad.alice.example");
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("the order is invalid: the test CA says no"), std::string::npos) << r.body;
}

TEST_F(AcmeDouble, ARateLimitAndAnUnanswerableChallengeAreRefusedInTheCasWords) {
  const auto limited = request("limited", "limited.alice.example");
  EXPECT_EQ(limited.status, 502) << limited.body;
  EXPECT_NE(limited.body.find("too many orders for this account (rateLimited); retry after 7 s"),
            std::string::npos)
      << limited.body;
  const auto challenge = request("challenge", "challenge.alice.example");
  EXPECT_EQ(challenge.status, 400) << challenge.body;
  EXPECT_NE(challenge.body.find("a challenge (dns-01), which this connector does not answer"),
            std::string::npos)
      << challenge.body;
  // A request that does not name what is ordered is refused before the CA is asked.
  const auto unnamed = request("slow", "");
  EXPECT_EQ(unnamed.status, 400);
  EXPECT_NE(unnamed.body.find("must have dns:slow.alice.example"), std::string::npos)
      << unnamed.body;
}

TEST_F(AcmeDouble, APlainHttpUrlNamedByTheCaIsRefused) {
  const auto r = request("plain", "plain.alice.example");
  EXPECT_EQ(r.status, 502) << r.body;
  EXPECT_NE(r.body.find("which is not an https:// URL: refused"), std::string::npos) << r.body;
}

TEST_F(AcmeDouble, AnEmailIdentifierIsOrderedForTheUsersAddress) {
  const auto r = request("mail", "");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto detail = json_of(r).at("detail").as_object();
  EXPECT_EQ(detail.at("rollout_state"), "enrolled");
  const std::string serial(detail.at("serial").as_string());
  write_file(server_->dir() / "mail.pem",
             std::string(token(serial).at("info").at("certificate").as_string()));
  const auto text = shell_output("openssl x509 -noout -ext subjectAltName -in " +
                                 (server_->dir() / "mail.pem").string());
  EXPECT_NE(text.find("email:alice@corp.example"), std::string::npos) << text;
}

// A device's names, given by the admin who enrolls it: its IP address (RFC 8738) and serial
// (permanent-identifier) are ordered besides its DNS name, written into the server-made request,
// and found in the certificate (the serial as an RFC 4043 otherName). A user cannot name them,
// and a profile without them refuses them.
TEST_F(AcmeDouble, ADevicesAddressAndSerialAreOrderedForIt) {
  boost::json::object device{{"type", "certificate"},     {"user", "alice"},
                             {"realm", "corp"},           {"ca", "double"},
                             {"profile", "device"},       {"genkey", "1"},
                             {"ip", "2001:DB8::7"},       {"device_serial", "SN-4711"},
                             {"password", "p12-password"}};
  const auto r = enroll_json(device);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string serial(json_of(r).at("detail").at("serial").as_string());
  const auto info = token(serial).at("info").as_object();
  EXPECT_EQ(info.at("device_ip"), "2001:db8::7") << "as inet_ntop writes it";
  EXPECT_EQ(info.at("device_serial"), "SN-4711");
  write_file(server_->dir() / "device.pem", std::string(info.at("certificate").as_string()));
  const auto text = shell_output("openssl x509 -noout -ext subjectAltName -in " +
                                 (server_->dir() / "device.pem").string());
  EXPECT_NE(text.find("DNS:device.alice.example"), std::string::npos) << text;
  EXPECT_NE(text.find("IP Address:2001:DB8:0:0:0:0:0:7"), std::string::npos) << text;
  // OpenSSL 3.0 prints no value for it; the host read SN-4711 from it, or it would have
  // refused the certificate for a name that was not asked for.
  EXPECT_NE(text.find("othername: Permanent Identifier"), std::string::npos) << text;
  EXPECT_NE(shell_output("openssl x509 -outform DER -in " +
                         (server_->dir() / "device.pem").string() + " | grep -c SN-4711"),
            "0\n");

  auto without = device;
  without.erase("device_serial");
  const auto missing = enroll_json(without);
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("names the device's serial number: give device_serial"),
            std::string::npos)
      << missing.body;
  auto elsewhere = device;
  elsewhere["profile"] = "slow";
  const auto refused = enroll_json(elsewhere);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("takes no IP address"), std::string::npos) << refused.body;
  auto bad_ip = device;
  bad_ip["ip"] = "192.0.2.300";
  EXPECT_NE(enroll_json(bad_ip).body.find("is no IPv4 or IPv6 address"), std::string::npos);

  const auto alice = api_->login("alice", "alice-password", "corp");
  auto client = api_->client();
  client->header("Authorization: " + alice);
  const auto by_user = client->post(server_->url() + "/token/init", boost::json::serialize(device),
                                    "application/json");
  EXPECT_EQ(by_user.status, 400);
  EXPECT_NE(by_user.body.find("only an admin names a device's IP address"), std::string::npos)
      << by_user.body;
}

}  // namespace
}  // namespace tessera::testing
