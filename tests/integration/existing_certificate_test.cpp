// Existing certificates enrolled as they are (IBM's "certificate enrollment for certificate
// authentication"): checked against the trusted CAs, held in "review" until an admin approves,
// then a certificate login with curl works until the token is revoked.
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <thread>

#include "tests/integration/outside_pki.hpp"
#include "tests/integration/token_fixture.hpp"

namespace tessera::testing {
namespace {

std::string escaped(const std::string& text) {
  std::string out;
  for (unsigned char ch : text) {
    if (std::isalnum(ch)) {
      out += static_cast<char>(ch);
    } else {
      static constexpr char hex[] = "0123456789ABCDEF";
      out += '%';
      out += hex[ch >> 4];
      out += hex[ch & 15];
    }
  }
  return out;
}

class ExistingCertificate : public TokenFixture {
 protected:
  void SetUp() override {
    char folder[] = "/tmp/tessera-pki-XXXXXX";
    ASSERT_NE(mkdtemp(folder), nullptr);
    pki_dir_ = folder;
    pki_ = std::make_unique<OutsidePki>(pki_dir_);
    pki_->ca("Corp Root CA", "rsa");
    pki_->ca("Corp Issuing CA", "ec", "Corp Root CA");
    pki_->leaf("alice", "Corp Issuing CA", "/CN=Alice Example/O=Corp");
    // A login presents only its own certificate: the issuing CA is trusted as well.
    write_file(pki_dir_ / "trusted.pem",
               read_file(pki_->cert("Corp Root CA")) + read_file(pki_->cert("Corp Issuing CA")));
    start({.tls = true,
           .server_extra = "  tls: { client_certificates: request }\n",
           .top_extra =
               "certificates:\n  trusted_ca_file: " + (pki_dir_ / "trusted.pem").string() + "\n"});
  }
  void TearDown() override { std::filesystem::remove_all(pki_dir_); }

  // /validate/check with curl presenting name's certificate: the answer's JSON.
  boost::json::object curl_login(const std::string& name) {
    const auto out = shell_output("curl -s --cacert " + server_->certificate_path() + " --cert " +
                                  pki_->cert(name).string() + " --key " + pki_->key(name).string() +
                                  " -d '' " + server_->url() + "/validate/check");
    boost::system::error_code ec;
    auto value = boost::json::parse(out, ec);
    return !ec && value.is_object() ? value.as_object() : boost::json::object();
  }
  std::string last_check_reason() {
    auto r = api_->call("GET", "/audit/?action=POST%20/validate/check&page_size=1", admin_);
    return std::string(
        json_of(r).at("result").at("value").at("auditdata").at(0).at("info").as_string());
  }
  TestResponse enroll_existing(const std::string& pem) {
    auto client = api_->client();
    client->header("Authorization: " + admin_);
    return client->post(
        server_->url() + "/token/init",
        boost::json::serialize(boost::json::object{
            {"type", "certificate"}, {"user", "alice"}, {"realm", "corp"}, {"certificate", pem}}),
        "application/json");
  }

  std::filesystem::path pki_dir_;
  std::unique_ptr<OutsidePki> pki_;
};

TEST_F(ExistingCertificate, ReviewedApprovedUsedForLoginAndRevoked) {
  // Alice enrolls the certificate that her browser presents on the connection.
  const auto alice = api_->login("alice", "alice-password", "corp");
  auto client = api_->client();
  client->client_certificate(pki_->cert("alice").string(), pki_->key("alice").string());
  client->header("Authorization: " + alice);
  auto r =
      client->post(server_->url() + "/token/init", "type=certificate&client_certificate=1", kForm);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto detail = json_of(r).at("detail").as_object();
  EXPECT_EQ(detail.at("rollout_state"), "review");
  const std::string serial(detail.at("serial").as_string());

  auto refused = curl_login("alice");
  EXPECT_EQ(refused.at("result").at("authentication"), "REJECT") << refused;
  EXPECT_NE(last_check_reason().find("is not enrolled (review)"), std::string::npos);

  // The approvals queue holds it; only an admin decides.
  const auto queue = json_of(api_->call("GET", "/token/?rollout_state=pending,review", admin_));
  EXPECT_EQ(queue.at("result").at("value").at("count"), 1);
  EXPECT_EQ(queue.at("result").at("value").at("tokens").at(0).at("serial").as_string(), serial);
  EXPECT_EQ(queue.at("result").at("value").at("tokens").at(0).at("info").at("subject"),
            "O=Corp,CN=Alice Example")
      << "RFC 2253";
  EXPECT_EQ(api_->call("POST", "/token/approve/" + serial, alice).status, 403);
  auto approved = api_->call("POST", "/token/approve/" + serial, admin_, "reason=badge%20seen");
  ASSERT_EQ(approved.status, 200) << approved.body;

  auto accepted = curl_login("alice");
  EXPECT_EQ(accepted.at("result").at("authentication"), "ACCEPT") << accepted;
  EXPECT_EQ(accepted.at("detail").at("serial").as_string(), serial);

  ASSERT_EQ(api_->call("POST", "/token/revoke/" + serial, admin_, "reason=keyCompromise").status,
            200);
  EXPECT_EQ(curl_login("alice").at("result").at("authentication"), "REJECT");
  EXPECT_NE(last_check_reason().find("is revoked"), std::string::npos) << last_check_reason();

  // Every transition, recorded with who made it and why; the owner may read them, others not.
  auto history = api_->call("GET", "/token/history/" + serial, alice);
  ASSERT_EQ(history.status, 200) << history.body;
  const auto transitions = json_of(history).at("result").at("value").at("transitions").as_array();
  ASSERT_EQ(transitions.size(), 3u) << history.body;
  EXPECT_EQ(transitions[0].at("from"), "");
  EXPECT_EQ(transitions[0].at("to"), "review");
  EXPECT_EQ(transitions[0].at("actor"), "alice@corp");
  EXPECT_EQ(transitions[1].at("to"), "enrolled");
  EXPECT_EQ(transitions[1].at("actor"), "admin");
  EXPECT_EQ(transitions[1].at("reason"), "badge seen");
  EXPECT_EQ(transitions[2].at("from"), "enrolled");
  EXPECT_EQ(transitions[2].at("to"), "revoked");
  EXPECT_EQ(transitions[2].at("reason"), "keyCompromise");
  const auto bob = api_->login("bob", "bob-password", "corp");
  EXPECT_EQ(api_->call("GET", "/token/history/" + serial, bob).status, 404);
}

TEST_F(ExistingCertificate, UntrustedExpiredMisusedOrBrokenCertificatesAreRefused) {
  pki_->ca("Other CA", "ec");
  pki_->leaf("stranger", "Other CA", "/CN=Alice Example/O=Corp");
  pki_->leaf("expired", "Corp Issuing CA", "/CN=Alice Example/O=Corp", "ec",
             "extendedKeyUsage=clientAuth\n", "2020-01-01");
  pki_->leaf("web-server", "Corp Issuing CA", "/CN=www.corp.example", "ec",
             "extendedKeyUsage=serverAuth\n");
  const std::pair<std::string, std::string> cases[] = {
      {read_file(pki_->cert("stranger")), "it is not signed by a trusted CA"},
      {read_file(pki_->cert("Other CA")), "it is not signed by a trusted CA"},
      {read_file(pki_->cert("expired")), "certificate has expired"},
      {read_file(pki_->cert("web-server")), "unsuitable certificate purpose"},
      {"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
       "'certificate' is not a PEM certificate"},
  };
  for (const auto& [pem, reason] : cases) {
    auto r = enroll_existing(pem);
    EXPECT_EQ(r.status, 400) << reason;
    EXPECT_NE(r.body.find(reason), std::string::npos) << reason << ": " << r.body;
  }
  EXPECT_EQ(token_count(), 0);

  // One certificate, one token.
  ASSERT_EQ(enroll_existing(read_file(pki_->cert("alice"))).status, 200);
  auto twice = enroll_existing(read_file(pki_->cert("alice")));
  EXPECT_EQ(twice.status, 400);
  EXPECT_NE(twice.body.find("already belongs to token"), std::string::npos) << twice.body;
  EXPECT_EQ(token_count(), 1);

  // A user cannot claim a certificate by pasting it: anyone may have a copy.
  const auto bob = api_->login("bob", "bob-password", "corp");
  auto pasted =
      api_->call("POST", "/token/init", bob,
                 "type=certificate&certificate=" + escaped(read_file(pki_->cert("alice"))));
  EXPECT_EQ(pasted.status, 400);
  EXPECT_NE(pasted.body.find("by presenting it (client_certificate=1)"), std::string::npos)
      << pasted.body;

  // No certificate on the connection.
  auto none = api_->call("POST", "/token/init", admin_,
                         "type=certificate&user=alice&realm=corp&client_certificate=1");
  EXPECT_EQ(none.status, 400);
  EXPECT_NE(none.body.find("no client certificate was presented"), std::string::npos);

  // A certificate that was never enrolled, from an untrusted CA, cannot log in.
  EXPECT_EQ(curl_login("stranger").at("result").at("authentication"), "REJECT");
  EXPECT_NE(last_check_reason().find("not signed by a trusted CA"), std::string::npos);
}

TEST_F(ExistingCertificate, ADeniedCertificateNeverLogsIn) {
  auto r = enroll_existing(read_file(pki_->cert("alice")));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string serial(json_of(r).at("detail").at("serial").as_string());
  ASSERT_EQ(api_->call("POST", "/token/deny/" + serial, admin_, "reason=not%20hers").status, 200);
  EXPECT_EQ(curl_login("alice").at("result").at("authentication"), "REJECT");
  EXPECT_NE(last_check_reason().find("is not enrolled (denied)"), std::string::npos);
  EXPECT_EQ(api_->call("POST", "/token/approve/" + serial, admin_).status, 400) << "decided";

  // Deleted, its token and history are gone: a certificate login finds no token.
  ASSERT_EQ(api_->call("DELETE", "/token/" + serial, admin_).status, 200);
  EXPECT_EQ(api_->call("GET", "/token/history/" + serial, admin_).status, 404);

  // Enrolled again, it waits for a new decision; once revoked it cannot come back.
  auto again = enroll_existing(read_file(pki_->cert("alice")));
  ASSERT_EQ(again.status, 200) << again.body;
  const std::string second(json_of(again).at("detail").at("serial").as_string());
  ASSERT_EQ(api_->call("POST", "/token/approve/" + second, admin_).status, 200);
  EXPECT_EQ(curl_login("alice").at("result").at("authentication"), "ACCEPT");
  ASSERT_EQ(api_->call("POST", "/token/revoke/" + second, admin_).status, 200);
  ASSERT_EQ(api_->call("DELETE", "/token/" + second, admin_).status, 200);
  auto revoked = enroll_existing(read_file(pki_->cert("alice")));
  EXPECT_EQ(revoked.status, 400);
  EXPECT_NE(revoked.body.find("this certificate was revoked here"), std::string::npos)
      << revoked.body;
}

TEST_F(ExistingCertificate, AnApprovedCertificateStopsWorkingWhenItExpires) {
  // Signed 30 days minus 4 seconds ago for 30 days: valid for 4 more seconds.
  const std::time_t signed_at = std::time(nullptr) - 30 * 86400 + 4;
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::gmtime(&signed_at));
  pki_->leaf("brief", "Corp Issuing CA", "/CN=Alice Example/O=Corp", "ec",
             "extendedKeyUsage=clientAuth\n", when);
  auto r = enroll_existing(read_file(pki_->cert("brief")));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string serial(json_of(r).at("detail").at("serial").as_string());
  ASSERT_EQ(api_->call("POST", "/token/approve/" + serial, admin_).status, 200);
  EXPECT_EQ(curl_login("brief").at("result").at("authentication"), "ACCEPT");
  std::this_thread::sleep_for(std::chrono::seconds(6));
  EXPECT_EQ(curl_login("brief").at("result").at("authentication"), "REJECT");
  EXPECT_NE(last_check_reason().find("has expired"), std::string::npos) << last_check_reason();
}

}  // namespace
}  // namespace tessera::testing
