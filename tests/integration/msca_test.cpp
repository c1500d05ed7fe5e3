// The Microsoft CA connector (ca_msca) against msca_double.py, a strict double of AD CS's
// enrollment web services written from their published descriptions (no AD CS can run here),
// with a real OpenSSL root and issuing CA behind it: both transports (MS-WSTEP with HTTP Basic
// or a UsernameToken, certsrv Web Enrollment), the three dispositions (issued, pending until the
// CA manager decides, denied), the chain out of PKCS#7, refusals at creation, and revocation,
// which neither protocol can do; and a service built like CES that is not AD CS and answers
// as such services do (CES_Other).
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <tuple>

#include "tests/integration/mail_sink.hpp"
#include "tests/integration/token_fixture.hpp"
#include "tests/support/peer_process.hpp"

namespace tessera::testing {
namespace {

constexpr const char* kPassword = "Sv%C3%A7-Passw0rd";  // urlencoded "Svç-Passw0rd"

std::string url_encoded(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text)
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  return out;
}

class MicrosoftCa : public TokenFixture {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("tessera-msca");
    write_file(dir_ / "password", "Svç-Passw0rd");
    double_ = std::make_unique<Peer>(std::vector<std::string>{
        "/usr/bin/python3", std::string(TESSERA_TEST_SCRIPTS) + "/msca_double.py", dir_.string()});
    ASSERT_TRUE(eventually([&] { return std::filesystem::exists(dir_ / "port"); }, 30));
    maildir_ = make_temp_dir("tessera-msca-mail");
    for (const char* sub : {"tmp", "new", "cur"}) std::filesystem::create_directory(maildir_ / sub);
    smtp_port_ = free_port();
    start({.plugins_extra = "  deadlines: { notification_ms: 5000 }\n",
           .top_extra = "events: { poll_interval_seconds: 1, retry_base_seconds: 1 }\n"});
    ASSERT_EQ(
        api_->call("PUT", "/user/", admin_, "user=alice&resolver=local&email=alice%40corp.example")
            .status,
        200);
  }
  void TearDown() override {
    TokenFixture::TearDown();
    smtp_.reset();
    double_.reset();
    std::filesystem::remove_all(dir_);
    std::filesystem::remove_all(maildir_);
  }

  std::string base() { return "https://127.0.0.1:" + read_file(dir_ / "port"); }
  // transport: "wstep" (HTTP Basic), "usernametoken" (WSTEP with a UsernameToken) or "certsrv".
  std::string settings(const std::string& transport, const std::string& password = kPassword,
                       const std::string& path = "") {
    const std::string url = transport == "certsrv"         ? "/certsrv"
                            : transport == "usernametoken" ? "/CES_UsernamePassword/service.svc/CES"
                                                           : "/CES_Basic/service.svc/CES";
    return std::string("type=ca_msca&protocol=") + (transport == "certsrv" ? "certsrv" : "wstep") +
           "&url=" + base() + (path.empty() ? url : path) +
           "&auth=" + (transport == "usernametoken" ? "usernametoken" : "basic") +
           "&username=CORP%5Csvc-tessera&password=" + password +
           "&ca_file=" + (dir_ / "tls.pem").string();
  }
  // A service built like CES that is not AD CS (the double's /CES_Other): see msca_double.py.
  std::string other_settings(const std::string& password = kPassword, bool with_cep = false) {
    return "type=ca_msca&protocol=wstep&auth=basic&url=" + base() +
           "/CES_Other/service.svc/CES&username=CORP%5Csvc-tessera&password=" + password +
           "&ca_file=" + (dir_ / "tls.pem").string() +
           (with_cep ? "&cep_url=" + base() + "/CEP_Other/service.svc/CEP" : "");
  }

  // A connector named after its transport, with profiles user (template User), approval and
  // denied (templates of those names), and for "other" (CES_Other) also long-id and unknown.
  void make_connector(const std::string& transport) {
    const auto made = api_->call("POST", "/caconnector/" + transport, admin_,
                                 transport == "other" ? other_settings() : settings(transport));
    ASSERT_EQ(made.status, 200) << made.body;
    for (const auto& [profile, template_name] :
         std::vector<std::pair<std::string, std::string>>{{"user", ""},
                                                          {"approval", "Approval"},
                                                          {"denied", "Denied"},
                                                          {"long-id", "LongId"},
                                                          {"unknown", "Unknown"}})
      ASSERT_EQ(api_->call("POST", "/caconnector/" + transport + "/profile/" + profile, admin_,
                           "key_types=ec-p256&san_email=0&subject.CN=%7Busername%7D&ca_template=" +
                               template_name)
                    .status,
                200);
  }

  TestResponse enroll(const std::string& ca, const std::string& profile, bool genkey,
                      const std::string& user = "alice") {
    boost::json::object body{{"type", "certificate"},
                             {"user", user},
                             {"realm", "corp"},
                             {"ca", ca},
                             {"profile", profile}};
    if (genkey) {
      body["genkey"] = "1";
      body["password"] = "p12-password";
    } else {
      const auto dir = server_->dir();
      EXPECT_EQ(std::system(("openssl req -new -nodes -newkey ec -pkeyopt "
                             "ec_paramgen_curve:P-256 -keyout /dev/null -out " +
                             (dir / "user.csr").string() + " -subj /CN=" + user + " 2>/dev/null")
                                .c_str()),
                0);
      body["request"] = read_file(dir / "user.csr");
    }
    auto client = api_->client();
    client->header("Authorization: " + admin_);
    return client->post(server_->url() + "/token/init", boost::json::serialize(body),
                        "application/json");
  }

  // openssl verify against the double's root, with its issuing CA as the untrusted chain.
  std::string verify(const std::string& pem) {
    write_file(dir_ / "leaf.pem", pem);
    return shell_output("openssl verify -CAfile " + (dir_ / "root.pem").string() + " -untrusted " +
                        (dir_ / "issuing.pem").string() + " " + (dir_ / "leaf.pem").string() +
                        " 2>&1");
  }

  // The CA manager's decision on a pending request.
  void manager(const std::string& decision, const std::string& request_id) {
    ASSERT_EQ(shell_output("curl -s -o /dev/null -w '%{http_code}' -X POST --cacert " +
                           (dir_ / "tls.pem").string() + " " + base() + "/manager/" + decision +
                           "/" + request_id),
              "200");
  }

  // An SMTP sink, and a handler that mails the token's owner on event.
  void mail_on(const std::string& event, const std::string& options) {
    smtp_ = std::make_unique<Peer>(std::vector<std::string>{
        "/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(smtp_port_),
        "-c", "aiosmtpd.handlers.Mailbox", maildir_.string()});
    ASSERT_EQ(api_->call("POST", "/notifier/mail", admin_,
                         "type=email&host=127.0.0.1&security=none&sender=pki%40corp.example&port=" +
                             std::to_string(smtp_port_))
                  .status,
              200);
    ASSERT_EQ(api_->call("POST", "/event/", admin_,
                         "name=on-" + event + "&event=" + event +
                             "&handlermodule=mail&action=sendmail&option.to=tokenowner&" + options)
                  .status,
              200);
  }

  std::filesystem::path dir_, maildir_;
  std::unique_ptr<Peer> double_, smtp_;
  int smtp_port_ = 0;
};

TEST_F(MicrosoftCa, EveryTransportIssuesAtOnceAndEachCertificateVerifies) {
  for (const char* transport : {"wstep", "usernametoken", "certsrv"}) {
    make_connector(transport);
    for (const bool genkey : {true, false}) {
      const auto r = enroll(transport, "user", genkey);
      ASSERT_EQ(r.status, 200) << transport << ": " << r.body;
      EXPECT_EQ(json_of(r).at("detail").at("rollout_state"), "enrolled") << transport;
      const std::string serial(json_of(r).at("detail").at("serial").as_string());
      const std::string pem(token(serial).at("info").at("certificate").as_string());
      EXPECT_NE(verify(pem).find("leaf.pem: OK"), std::string::npos) << transport << verify(pem);
    }
    // The chain the PKCS#7 carried, issuing CA first, is what the connector publishes.
    TestHttpClient anyone;
    const auto published = anyone.get(server_->url() + "/ca/" + transport + "/cert").body;
    EXPECT_EQ(published.find(read_file(dir_ / "issuing.pem")), 0u) << transport << published;
    EXPECT_NE(published.find(read_file(dir_ / "root.pem")), std::string::npos) << transport;
  }
}

TEST_F(MicrosoftCa, APendingRequestIsCollectedOnceTheManagerIssuesItAndTheOwnerIsMailed) {
  mail_on("certificate_issued",
          "option.subject=Certificate%20%7Bserial%7D%20is%20ready&option.body=It%20is%20%7B"
          "rollout_state%7D.");
  size_t mails = 0;
  for (const char* transport : {"wstep", "certsrv"}) {
    make_connector(transport);
    const auto r = enroll(transport, "approval", false);
    ASSERT_EQ(r.status, 200) << transport << ": " << r.body;
    EXPECT_EQ(json_of(r).at("detail").at("rollout_state"), "pending") << transport;
    const std::string serial(json_of(r).at("detail").at("serial").as_string());
    const std::string id(token(serial).at("info").at("ca_request_id").as_string());
    // Still pending at the CA: the poller asks and leaves it.
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    EXPECT_EQ(token(serial).at("rollout_state"), "pending") << transport;
    manager("approve", id);
    ASSERT_TRUE(eventually([&] { return token(serial).at("rollout_state") == "enrolled"; }, 30))
        << transport << ": " << token(serial);
    const std::string pem(token(serial).at("info").at("certificate").as_string());
    EXPECT_NE(verify(pem).find("leaf.pem: OK"), std::string::npos) << transport << verify(pem);
    ASSERT_TRUE(eventually([&] { return mails_in(maildir_).size() > mails; }, 30)) << transport;
    mails = mails_in(maildir_).size();
    EXPECT_NE(mails_in(maildir_).back().find("Certificate " + serial + " is ready"),
              std::string::npos)
        << mails_in(maildir_).back();
    EXPECT_NE(mails_in(maildir_).back().find("To: alice@corp.example"), std::string::npos);
  }
}

// On every transport, and from a service that marks its denials InvalidRequest and then forgets
// them (other): the CA's decision, at once or when the poller asks, ends the token 'denied'.
TEST_F(MicrosoftCa, ARequestTheManagerOrThePolicyDeniesIsDeniedWithTheCasMessage) {
  for (const char* transport : {"wstep", "certsrv", "other"}) {
    make_connector(transport);
    const auto r = enroll(transport, "approval", false);
    ASSERT_EQ(r.status, 200) << transport << ": " << r.body;
    const std::string serial(json_of(r).at("detail").at("serial").as_string());
    manager("deny", std::string(token(serial).at("info").at("ca_request_id").as_string()));
    ASSERT_TRUE(eventually([&] { return token(serial).at("rollout_state") == "denied"; }, 30))
        << transport << ": " << token(serial);
    EXPECT_NE(boost::json::serialize(token(serial).at("info")).find("Denied by the CA manager"),
              std::string::npos)
        << transport << ": " << token(serial);

    const auto at_once = enroll(transport, "denied", true);
    EXPECT_EQ(at_once.status, 400) << transport;
    EXPECT_NE(at_once.body.find("Denied by Policy Module"), std::string::npos)
        << transport << ": " << at_once.body;
    // The request is kept as a token, 'denied' with the CA's words.
    const auto kept = at_once.body.find("kept as token ");
    ASSERT_NE(kept, std::string::npos) << at_once.body;
    const auto start = kept + std::string("kept as token ").size();
    const auto denied = token(at_once.body.substr(start, at_once.body.find(',', start) - start));
    EXPECT_EQ(denied.at("rollout_state"), "denied") << transport;
    EXPECT_NE(std::string(denied.at("info").at("denial_reason").as_string())
                  .find("Denied by Policy Module"),
              std::string::npos)
        << denied;
    if (std::string(transport) != "certsrv") {  // CES's fault names the admin-denied code
      EXPECT_NE(at_once.body.find("(error -2146877420)"), std::string::npos) << at_once.body;
    }
  }
}

TEST_F(MicrosoftCa, AHostilePageWithEndlessDigitsIsNotUnderstoodAndTheServerLivesOn) {
  make_connector("certsrv");
  for (const char* hostile : {"HostileLink", "HostileId"}) {
    ASSERT_EQ(api_->call("POST", "/caconnector/certsrv/profile/" + std::string(hostile), admin_,
                         "key_types=ec-p256&san_email=0&subject.CN=%7Busername%7D&ca_template=" +
                             std::string(hostile))
                  .status,
              200);
    const auto r = enroll("certsrv", hostile, true);
    EXPECT_EQ(r.status, 502) << hostile << ": " << r.body.substr(0, 400);
    EXPECT_NE(r.body.find("is not understood"), std::string::npos) << r.body.substr(0, 400);
    EXPECT_LT(r.body.size(), 4000u) << "the page is quoted, not copied";
    EXPECT_EQ(api_->call("GET", "/healthz", "").status, 200) << "the server lives on";
  }
}

TEST_F(MicrosoftCa, AWrongLoginOrAnythingButAdCsIsRefusedAtCreation) {
  for (const char* transport : {"wstep", "usernametoken", "certsrv"}) {
    const auto wrong = api_->call("POST", "/caconnector/x", admin_, settings(transport, "wrong"));
    EXPECT_EQ(wrong.status, 400) << transport;
    EXPECT_NE(wrong.body.find("refused the login"), std::string::npos)
        << transport << ": " << wrong.body;
  }
  const auto no_certsrv =
      api_->call("POST", "/caconnector/x", admin_, settings("certsrv", kPassword, "/nothing"));
  EXPECT_EQ(no_certsrv.status, 400);
  EXPECT_NE(no_certsrv.body.find("no Web Enrollment pages"), std::string::npos) << no_certsrv.body;
  const auto no_ces =
      api_->call("POST", "/caconnector/x", admin_, settings("wstep", kPassword, "/nothing"));
  EXPECT_EQ(no_ces.status, 400);
  EXPECT_NE(no_ces.body.find("no enrollment web service at " + base() +
                             "/nothing (HTTP 404, tried a QueryTokenStatus for request 0"),
            std::string::npos)
      << no_ces.body;
  const auto negotiate =
      api_->call("POST", "/caconnector/x", admin_,
                 std::string("type=ca_msca&protocol=wstep&auth=negotiate&url=") + base() + "/CES");
  EXPECT_EQ(negotiate.status, 400);
  EXPECT_NE(negotiate.body.find("give the service account's principal"), std::string::npos)
      << negotiate.body;
  const auto plain = api_->call("POST", "/caconnector/x", admin_,
                                "type=ca_msca&protocol=certsrv&url=http://127.0.0.1:1/certsrv");
  EXPECT_NE(plain.body.find("must be an https:// URL"), std::string::npos) << plain.body;
  EXPECT_EQ(json_of(api_->call("GET", "/caconnector/", admin_))
                .at("result")
                .at("value")
                .as_array()
                .size(),
            0u)
      << "nothing was stored";
}

// CEP (MS-XCEP GetPolicies) lists the templates the account may enroll for: the connector's
// list_templates action, which the WebUI offers when a profile is made.
TEST_F(MicrosoftCa, TheEnrollmentPolicyServiceListsTheTemplates) {
  make_connector("wstep");
  EXPECT_EQ(json_of(api_->call("GET", "/caconnector/wstep/actions", admin_))
                .at("result")
                .at("value")
                .as_array()
                .size(),
            0u)
      << "without a CEP, no action";
  ASSERT_EQ(api_->call("POST", "/caconnector/with-cep", admin_,
                       settings("wstep") + "&cep_url=" + base() + "/CEP_Basic/service.svc/CEP")
                .status,
            200);
  const auto listed = api_->call("POST", "/caconnector/with-cep/action/list_templates", admin_);
  ASSERT_EQ(listed.status, 200) << listed.body;
  const auto value = json_of(listed).at("result").at("value");
  EXPECT_EQ(value.at("values"), (boost::json::array{"User", "Approval", "Denied"})) << value;
  EXPECT_NE(std::string(value.at("message").as_string()).find("User, Approval, Denied"),
            std::string::npos);
}

// Neither protocol revokes. Revoking the token says so, records the certificate as revoked
// here, lists it for the CA's administrator, and fires an event a handler can act on.
TEST_F(MicrosoftCa, ARevocationIsLeftToTheCasAdministratorAndSaysSo) {
  mail_on("certificate_revoke_at_ca",
          "option.subject=Revoke%20%7Bcertificate_serial%7D%20at%20%7Bca%7D&option.body="
          "Reason%3A%20%7Breason%7D");
  make_connector("certsrv");
  const auto r = enroll("certsrv", "user", true);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string serial(json_of(r).at("detail").at("serial").as_string());
  const std::string certificate(token(serial).at("info").at("certificate_serial").as_string());
  const auto revoked =
      api_->call("POST", "/token/revoke/" + serial, admin_, "reason=keyCompromise");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(token(serial).at("rollout_state"), "revoked");
  const auto audit = api_->call("GET", "/audit/?serial=" + serial, admin_).body;
  EXPECT_NE(audit.find("cannot revoke certificate " + certificate + " through its protocol"),
            std::string::npos)
      << audit;
  const auto listed = json_of(api_->call("GET", "/ca/certsrv/revocations", admin_));
  ASSERT_EQ(listed.at("result").at("value").as_array().size(), 1u) << listed;
  EXPECT_EQ(listed.at("result").at("value").at(0).at("serial").as_string(), certificate);
  EXPECT_EQ(listed.at("result").at("value").at(0).at("reason"), "keyCompromise");
  ASSERT_TRUE(eventually([&] { return !mails_in(maildir_).empty(); }, 30));
  EXPECT_NE(mails_in(maildir_).front().find("Revoke " + certificate + " at certsrv"),
            std::string::npos)
      << mails_in(maildir_).front();
  const auto alice = api_->login("alice", "alice-password", "corp");
  EXPECT_EQ(api_->call("GET", "/ca/certsrv/revocations", alice).status, 403) << "admins only";
}

// Kerberos for real: an MIT KDC (kdc.sh) with the service account's principals and the web
// service's; the double accepts only a valid Negotiate ticket. The host gets the ticket from
// the principal's password or keytab (libkrb5), libcurl's SPNEGO presents it.
class MicrosoftCaKerberos : public MicrosoftCa {
 protected:
  void SetUp() override {
    kdc_dir_ = make_temp_dir("tessera-kdc");
    kdc_ = std::make_unique<Peer>(
        std::vector<std::string>{std::string(TESSERA_TEST_SCRIPTS) + "/kdc.sh", kdc_dir_.string(),
                                 std::to_string(free_port())});
    ASSERT_TRUE(eventually([&] { return std::filesystem::exists(kdc_dir_ / "ready"); }, 30));
    // The double and the server (started next) inherit these.
    setenv("KRB5_CONFIG", (kdc_dir_ / "krb5.conf").c_str(), 1);
    setenv("KRB5_KTNAME", (kdc_dir_ / "http.keytab").c_str(), 1);
    MicrosoftCa::SetUp();
  }
  void TearDown() override {
    MicrosoftCa::TearDown();
    kdc_.reset();
    unsetenv("KRB5_CONFIG");
    unsetenv("KRB5_KTNAME");
    std::filesystem::remove_all(kdc_dir_);
  }
  TestResponse kerberos_connector(const std::string& name, const std::string& login) {
    return api_->call("POST", "/caconnector/" + name, admin_,
                      "type=ca_msca&protocol=wstep&url=" + base() +
                          "/CES_Kerberos/service.svc/CES&auth=negotiate&ca_file=" +
                          (dir_ / "tls.pem").string() + "&" + login);
  }
  std::filesystem::path kdc_dir_;
  std::unique_ptr<Peer> kdc_;
};

TEST_F(MicrosoftCaKerberos, APasswordOrAKeytabLogsInAndAWrongPasswordIsRefused) {
  const auto wrong =
      kerberos_connector("wrong", "username=svc-tessera%40TESSERA.TEST&password=nope");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_NE(wrong.body.find("the KDC refused the login of svc-tessera@TESSERA.TEST"),
            std::string::npos)
      << wrong.body;
  EXPECT_EQ(wrong.body.find("cannot be reached"), std::string::npos) << wrong.body;
  const auto stranger = kerberos_connector("stranger", "username=nobody%40TESSERA.TEST&password=x");
  EXPECT_NE(stranger.body.find("the KDC refused the login of nobody@TESSERA.TEST"),
            std::string::npos)
      << stranger.body;
  // Without a ticket the service says 401: a plain request is no way in.
  EXPECT_EQ(shell_output("curl -s -o /dev/null -w '%{http_code}' --cacert " +
                         (dir_ / "tls.pem").string() + " -X POST " + base() +
                         "/CES_Kerberos/service.svc/CES"),
            "401");

  for (const auto& [name, login] : std::vector<std::pair<std::string, std::string>>{
           {"by-password", "username=svc-tessera%40TESSERA.TEST&password=Kerb-Passw0rd"},
           {"by-keytab", "username=svc-keytab%40TESSERA.TEST&keytab=" +
                             (kdc_dir_ / "client.keytab").string()}}) {
    const auto made = kerberos_connector(name, login);
    ASSERT_EQ(made.status, 200) << name << ": " << made.body;
    ASSERT_EQ(api_->call("POST", "/caconnector/" + name + "/profile/user", admin_,
                         "key_types=ec-p256&san_email=0&subject.CN=%7Busername%7D")
                  .status,
              200);
    const auto r = enroll(name, "user", true);
    ASSERT_EQ(r.status, 200) << name << ": " << r.body;
    const std::string serial(json_of(r).at("detail").at("serial").as_string());
    EXPECT_NE(verify(std::string(token(serial).at("info").at("certificate").as_string()))
                  .find("leaf.pem: OK"),
              std::string::npos)
        << name;
  }
}

// A ticket the service takes for expired is refused, and the connector says so: a second
// double runs two days ahead (faketime), past the end of every ticket the KDC gives today.
TEST_F(MicrosoftCaKerberos, AnExpiredTicketIsRefusedAndTheConnectorSaysSo) {
  const auto later = make_temp_dir("tessera-msca-later");
  write_file(later / "password", "Svç-Passw0rd");
  {
    // env execs the double itself (faketime's wrapper would fork it, and a killed wrapper
    // leaves the double holding the test's output open).
    Peer ahead(std::vector<std::string>{"/usr/bin/env",
                                        "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/"
                                        "libfaketime.so.1",
                                        "FAKETIME=+2d", "/usr/bin/python3",
                                        std::string(TESSERA_TEST_SCRIPTS) + "/msca_double.py",
                                        later.string()});
    ASSERT_TRUE(eventually([&] { return std::filesystem::exists(later / "port"); }, 30));
    const auto r =
        api_->call("POST", "/caconnector/later", admin_,
                   "type=ca_msca&protocol=wstep&auth=negotiate&url=https://127.0.0.1:" +
                       read_file(later / "port") +
                       "/CES_Kerberos/service.svc/CES&ca_file=" + (later / "tls.pem").string() +
                       "&username=svc-tessera%40TESSERA.TEST&password=Kerb-Passw0rd");
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("the enrollment web service refused the login (HTTP 401"),
              std::string::npos)
        << r.body;
  }
  std::filesystem::remove_all(later);
}

// CES's Certificate endpoint: the TLS client certificate is the login.
TEST_F(MicrosoftCa, ATlsClientCertificateLogsIn) {
  const auto with = [&](const std::string& certificate, const std::string& key) {
    return api_->call("POST", "/caconnector/by-certificate", admin_,
                      "type=ca_msca&protocol=wstep&url=" + base() +
                          "/CES_Certificate/service.svc/CES&auth=certificate&ca_file=" +
                          (dir_ / "tls.pem").string() +
                          "&client_certificate=" + url_encoded(read_file(dir_ / certificate)) +
                          "&client_key=" + url_encoded(read_file(dir_ / key)));
  };
  const auto other = with("client_ca.pem", "client_ca.key");
  EXPECT_EQ(other.status, 400);
  EXPECT_NE(other.body.find("refused the login"), std::string::npos) << other.body;
  const auto made = with("client.pem", "client.key");
  ASSERT_EQ(made.status, 200) << made.body;
  EXPECT_EQ(json_of(api_->call("GET", "/caconnector/by-certificate", admin_))
                .at("result")
                .at("value")
                .at(0)
                .at("data")
                .at("client_key"),
            "***");
  ASSERT_EQ(api_->call("POST", "/caconnector/by-certificate/profile/user", admin_,
                       "key_types=ec-p256&san_email=0&subject.CN=%7Busername%7D")
                .status,
            200);
  const auto r = enroll("by-certificate", "user", true);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r).at("detail").at("rollout_state"), "enrolled");
}

// The double is strict, so that a sloppy client fails: requests off MS-WSTEP's schema are
// SOAP faults marked InvalidRequest, a form without a template is denied.
TEST_F(MicrosoftCa, TheDoubleRefusesWhatIsOffTheSchema) {
  const auto post = [&](const std::string& path, const std::string& type, const std::string& body) {
    write_file(dir_ / "body", body);
    return shell_output("curl -s --cacert " + (dir_ / "tls.pem").string() +
                        " -u 'CORP\\svc-tessera:Svç-Passw0rd' -H 'Content-Type: " + type +
                        "' --data-binary @" + (dir_ / "body").string() + " " + base() + path);
  };
  const std::string ces = "/CES_Basic/service.svc/CES";
  const std::string head =
      "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
      "xmlns:a=\"http://www.w3.org/2005/08/addressing\"><s:Header><a:Action>";
  const std::string rst = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RST/wstep";
  const auto envelope = [&](const std::string& action, const std::string& inner) {
    return head + action + "</a:Action><a:MessageID>urn:uuid:1</a:MessageID><a:To>" + base() + ces +
           "</a:To></s:Header><s:Body><RequestSecurityToken "
           "xmlns=\"http://docs.oasis-open.org/ws-sx/ws-trust/200512\">" +
           inner + "</RequestSecurityToken></s:Body></s:Envelope>";
  };
  const std::string x509 =
      "<TokenType>http://docs.oasis-open.org/wss/2004/01/"
      "oasis-200401-wss-x509-token-profile-1.0#X509v3</TokenType>";
  const std::string issue =
      "<RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</RequestType>";
  const std::string soap = "application/soap+xml; charset=utf-8; action=\"" + rst + "\"";
  const std::string pkcs10 =
      "<BinarySecurityToken ValueType=\"http://schemas.microsoft.com/windows/pki/2009/01/"
      "enrollment#PKCS10\" EncodingType=\"http://docs.oasis-open.org/wss/2004/01/"
      "oasis-200401-wss-wssecurity-secext-1.0.xsd#base64binary\" "
      "xmlns=\"http://docs.oasis-open.org/wss/2004/01/"
      "oasis-200401-wss-wssecurity-secext-1.0.xsd\">bm90IGEgQ1NS</BinarySecurityToken>";
  // Each off the schema in one way, refused for that reason.
  for (const auto& [type, body, reason] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"application/soap+xml; charset=utf-8", envelope(rst, x509 + issue),
            "names no SOAP action"},
           {soap, envelope(rst + "x", x509 + issue), "The WS-Addressing Action is not"},
           {soap, envelope(rst, x509), "Unknown RequestType"},
           {soap, envelope(rst, "<TokenType>urn:x</TokenType>" + issue),
            "The token type is not X509v3"},
           {soap, envelope(rst, x509 + issue + pkcs10),
            "is not a signed DER certificate request"}}) {
    const auto answer = post(ces, type, body);
    EXPECT_NE(answer.find("<InvalidRequest>true</InvalidRequest>"), std::string::npos)
        << reason << ": " << answer;
    EXPECT_NE(answer.find(reason), std::string::npos) << answer;
  }
  // A valid request, but no template: denied with AD CS's words, not for the CSR.
  ASSERT_EQ(std::system(("openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
                         "-keyout /dev/null -subj /CN=x -out " +
                         (dir_ / "form.csr").string() + " 2>/dev/null")
                            .c_str()),
            0);
  const auto form = post("/certsrv/certfnsh.asp", "application/x-www-form-urlencoded",
                         "Mode=newreq&TargetStoreFlags=0&SaveCert=yes&CertRequest=" +
                             url_encoded(read_file(dir_ / "form.csr")));
  EXPECT_NE(form.find("contains no certificate template information"), std::string::npos) << form;
}

// A service built like CES that is not AD CS (the double's /CES_Other). Saving the connector
// does not depend on how it answers a status query for a request nobody made (it answers with
// a plain-text HTTP 500); with its policy service, GetPolicies proves the login.
TEST_F(MicrosoftCa, AServiceThatIsNotAdCsIsSavedByWhatProvesReachAndLogin) {
  const auto plain = api_->call("POST", "/caconnector/plain", admin_, other_settings());
  EXPECT_EQ(plain.status, 200) << plain.body;
  const auto with_cep =
      api_->call("POST", "/caconnector/with-cep", admin_, other_settings(kPassword, true));
  EXPECT_EQ(with_cep.status, 200) << with_cep.body;
  const auto wrong = api_->call("POST", "/caconnector/wrong", admin_, other_settings("x", true));
  EXPECT_EQ(wrong.status, 400);
  EXPECT_NE(wrong.body.find("refused the login (HTTP 401): 401 - Unauthorized"), std::string::npos)
      << "the service's own words: " << wrong.body;
  const auto no_cep = api_->call("POST", "/caconnector/wrong", admin_, other_settings("x"));
  EXPECT_NE(no_cep.body.find("refused the login (HTTP 401, tried a QueryTokenStatus for "
                             "request 0 at " +
                             base() + "/CES_Other/service.svc/CES)"),
            std::string::npos)
      << no_cep.body;
  EXPECT_EQ(json_of(api_->call("GET", "/caconnector/", admin_))
                .at("result")
                .at("value")
                .as_array()
                .size(),
            2u);
}

// That service reads the template only from the request: a user's CSR goes inside a CMC
// request whose RegInfo names it, a server-made key's CSR carries the template extension. A
// template it does not have is its refusal of the request, in its words, not a failed login.
TEST_F(MicrosoftCa, TheTemplateTravelsInTheRequestForAServiceThatReadsItOnlyThere) {
  make_connector("other");
  ASSERT_EQ(api_->call("POST", "/caconnector/other/profile/named", admin_,
                       "key_types=ec-p256&san_email=0&subject.CN=%7Busername%7D&ca_template=User")
                .status,
            200);
  for (const auto& [profile, genkey] : std::vector<std::pair<std::string, bool>>{
           {"user", false}, {"user", true}, {"named", true}}) {
    const auto r = enroll("other", profile, genkey);
    ASSERT_EQ(r.status, 200) << profile << genkey << ": " << r.body;
    const std::string serial(json_of(r).at("detail").at("serial").as_string());
    const std::string pem(token(serial).at("info").at("certificate").as_string());
    EXPECT_NE(verify(pem).find("leaf.pem: OK"), std::string::npos) << verify(pem);
    // The double copies the request's extensions: the template name came in the CSR.
    write_file(dir_ / "leaf.pem", pem);
    const auto text = shell_output("openssl x509 -noout -text -in " + (dir_ / "leaf.pem").string());
    EXPECT_EQ(text.find("1.3.6.1.4.1.311.20.2") != std::string::npos, profile == "named")
        << profile << genkey << text;
  }
  const auto unknown = enroll("other", "unknown", false);
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_NE(unknown.body.find("the enrollment web service refused the request (HTTP 403): The "
                              "requested template is not valid."),
            std::string::npos)
      << unknown.body;
  EXPECT_EQ(unknown.body.find("login"), std::string::npos) << unknown.body;
}

// Request ids are text: a 39-digit one is followed until the manager issues it; one the
// connector could never ask about (100 characters) is refused at once with the reason, instead
// of a token that stays pending forever.
TEST_F(MicrosoftCa, RequestIdsAreTextAndOneTooLongToFollowIsRefusedClearly) {
  make_connector("other");
  const auto r = enroll("other", "approval", false);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string serial(json_of(r).at("detail").at("serial").as_string());
  EXPECT_EQ(token(serial).at("rollout_state"), "pending");
  const std::string id(token(serial).at("info").at("ca_request_id").as_string());
  EXPECT_EQ(id.size(), 39u) << id;
  manager("approve", id);
  ASSERT_TRUE(eventually([&] { return token(serial).at("rollout_state") == "enrolled"; }, 30))
      << token(serial);
  EXPECT_NE(verify(std::string(token(serial).at("info").at("certificate").as_string()))
                .find("leaf.pem: OK"),
            std::string::npos);
  const auto too_long = enroll("other", "long-id", false);
  EXPECT_EQ(too_long.status, 400) << too_long.body;
  EXPECT_NE(too_long.body.find("which this connector cannot follow"), std::string::npos)
      << too_long.body;
}

}  // namespace
}  // namespace tessera::testing
