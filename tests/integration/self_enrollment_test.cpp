// The public side of enrollment forms over HTTP against the real binary: a one-time link read
// from a real SMTP sink (aiosmtpd), an access code and a key made by the server (the PKCS#12
// opened with openssl); a secret ID, an account for the organization's persons and the
// person's own CSR; refusals that store nothing; brute force locked out.
#include <soci/soci.h>

#include "server/crypto/encoding.hpp"
#include "tests/integration/mail_sink.hpp"
#include "tests/integration/token_fixture.hpp"
#include "tests/support/peer_process.hpp"

namespace tessera::testing {
namespace {

class SelfEnrollment : public TokenFixture {
 protected:
  void SetUp() override {
    maildir_ = make_temp_dir("tessera-enroll-mail");
    for (const char* sub : {"tmp", "new", "cur"}) std::filesystem::create_directory(maildir_ / sub);
    const int smtp_port = free_port();
    smtp_ = std::make_unique<Peer>(std::vector<std::string>{
        "/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(smtp_port),
        "-c", "aiosmtpd.handlers.Mailbox", maildir_.string()});
    start({.server_extra = "  public_url: https://tessera.example/\n",
           .top_extra = "events: { poll_interval_seconds: 1, retry_base_seconds: 1 }\n"});
    const auto ok = [&](const std::string& path, const std::string& params) {
      const auto r = api_->call("POST", path, admin_, params);
      ASSERT_EQ(r.status, 200) << path << ": " << r.body;
    };
    ok("/notifier/mail", "type=email&host=127.0.0.1&security=none&sender=pki%40acme.example&port=" +
                             std::to_string(smtp_port));
    ok("/organization/acme",
       "realm=corp&resolver=local&departments=Sales,Engineering&domains=acme.example");
    ok("/caconnector/corp", "type=ca_local");
    ok("/caconnector/corp/profile/user",
       "validity_days=365,730&key_types=ec-p256,rsa-3072&subject.CN=%7Bgivenname%7D%20%7Bsurname%"
       "7D&san_email=1");
    ok("/caconnector/corp/profile/approved",
       "key_types=ec-p256&subject.CN=%7Bsurname%7D&approval=1");
    ok("/enrollmentform/staff",
       "auth_types=email,secret_id&notifier=mail&eula=Use%20it%20well&help_text=Ask%20IT");
    ok("/enrollmentform/staff/account/shared",
       "organization=acme&profiles=corp/user&csr_method=server&access_code=acme-shared-2026");
    ok("/enrollmentform/staff/account/persons",
       "organization=acme&department=Sales&profiles=corp/user,corp/approved&csr_method=client&"
       "authorization_method=none");
    const auto ann = api_->call("POST", "/person/", admin_,
                                "organization=acme&email=ann%40acme.example&first_name=Ann&last_"
                                "name=Lee&department=Sales&secret_id=generate");
    ASSERT_EQ(ann.status, 200) << ann.body;
    ann_secret_ = std::string(json_of(ann).at("result").at("value").at("secret_id").as_string());
    const auto forms = json_of(api_->call("GET", "/enrollmentform/", admin_));
    extension_ =
        std::string(forms.at("result").at("value").at("staff").at("extension").as_string());
  }
  void TearDown() override {
    TokenFixture::TearDown();
    smtp_.reset();
    std::filesystem::remove_all(maildir_);
  }

  TestResponse post(const std::string& step, const boost::json::object& body) {
    return api_->client()->post(server_->url() + "/enroll/" + extension_ + "/" + step,
                                boost::json::serialize(body), "application/json");
  }
  std::string message(const TestResponse& r) {
    return std::string(json_of(r).at("result").at("error").at("message").as_string());
  }
  std::string session_by_secret(const std::string& email, const std::string& secret) {
    const auto r = post("session", {{"email", email}, {"secret_id", secret}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200
               ? std::string(json_of(r).at("result").at("value").at("session").as_string())
               : std::string();
  }
  long long tokens_of(const std::string& user) {
    return json_of(api_->call("GET", "/token/?realm=corp&user=" + user, admin_))
        .at("result")
        .at("value")
        .at("count")
        .as_int64();
  }
  // openssl verify against the local CA.
  std::string verify(const std::string& certificate_pem) {
    write_file(server_->dir() / "ca.pem",
               api_->client()->get(server_->url() + "/ca/corp/cert").body);
    write_file(server_->dir() / "leaf.pem", certificate_pem);
    return shell_output("openssl verify -CAfile " + (server_->dir() / "ca.pem").string() + " " +
                        (server_->dir() / "leaf.pem").string() + " 2>&1");
  }

  std::filesystem::path maildir_;
  std::unique_ptr<Peer> smtp_;
  std::string extension_, ann_secret_;
};

TEST_F(SelfEnrollment, AMailedLinkAnAccessCodeAndAServerMadeKey) {
  const auto form = api_->client()->get(server_->url() + "/enroll/" + extension_ + "/form");
  ASSERT_EQ(form.status, 200) << form.body;
  EXPECT_EQ(json_of(form).at("result").at("value").at("eula"), "Use it well");

  // The same answer for an address outside the domains; only the other gets a mail.
  const auto outside = post("link", {{"email", "bob@other.example"}});
  const auto inside = post("link", {{"email", "Bob@ACME.example"}});
  ASSERT_EQ(outside.status, 200);
  ASSERT_EQ(inside.status, 200);
  EXPECT_EQ(json_of(outside).at("result"), json_of(inside).at("result"));
  ASSERT_TRUE(eventually([&] { return !mails_in(maildir_).empty(); }, 30));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const auto mails = mails_in(maildir_);  // only Bob's
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_NE(mails[0].find("To: bob@acme.example"), std::string::npos) << mails[0];
  const auto at = mails[0].find("https://tessera.example/enroll/" + extension_ + "#link=");
  ASSERT_NE(at, std::string::npos) << mails[0];
  const auto start = mails[0].find("#link=", at) + 6;
  const auto link = mails[0].substr(start, mails[0].find_first_of(" \r\n", start) - start);

  EXPECT_EQ(post("session", {{"link", "not-the-link"}}).status, 401);
  // A link past its 60 minutes opens nothing (its time set back in the database).
  ASSERT_EQ(post("link", {{"email", "cy@acme.example"}}).status, 200);
  ASSERT_TRUE(eventually([&] { return mails_in(maildir_).size() == 2; }, 30));
  const auto second = mails_in(maildir_).back();
  const auto from = second.find("#link=") + 6;
  const auto late = second.substr(from, second.find_first_of(" \r\n", from) - from);
  {
    soci::session sql("sqlite3", "db=" + (server_->dir() / "data" / "tessera.db").string());
    sql << "UPDATE enrollment_link SET expires_at = 1 WHERE email = 'cy@acme.example'";
  }
  const auto expired = post("session", {{"link", late}});
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(message(expired).find("unknown, used or expired"), std::string::npos);
  const auto opened = post("session", {{"link", link}});
  ASSERT_EQ(opened.status, 200) << opened.body;
  EXPECT_EQ(post("session", {{"link", link}}).status, 401) << "a link works once";
  const std::string session(json_of(opened).at("result").at("value").at("session").as_string());

  // Without the access code nothing is open to Bob; with it, the shared account.
  auto accounts = post("accounts", {{"session", session}});
  ASSERT_EQ(accounts.status, 200) << accounts.body;
  EXPECT_TRUE(json_of(accounts).at("result").at("value").as_array().empty());
  accounts = post("accounts", {{"session", session}, {"access_code", "acme-shared-2026"}});
  ASSERT_EQ(json_of(accounts).at("result").at("value").as_array().size(), 1u) << accounts.body;
  EXPECT_EQ(json_of(accounts).at("result").at("value").at(0).at("name"), "shared");

  const boost::json::object request{{"session", session},
                                    {"account", "shared"},
                                    {"access_code", "acme-shared-2026"},
                                    {"profile", "corp/user"},
                                    {"validity_days", 730},
                                    {"key_type", "ec-p256"},
                                    {"first_name", "Bob"},
                                    {"last_name", "Brown"},
                                    {"password", "Bob-Secret-123"},
                                    {"password_repeat", "Bob-Secret-123"},
                                    {"eula_accepted", true},
                                    {"eula_version", 1}};
  for (const auto& [key, value, status] :
       std::vector<std::tuple<const char*, boost::json::value, int>>{
           {"eula_accepted", false, 400},
           {"eula_version", 0, 409},
           {"validity_days", 90, 400},
           {"key_type", "rsa-4096", 400},
           {"password_repeat", "Bob-Secret-124", 400},
           {"password", "aaaaaaaa", 400},
           {"access_code", "guessed-code", 403},
           {"profile", "corp/approved", 400},
           {"session", "no-session", 401}}) {
    auto copy = request;
    copy[key] = value;
    if (std::string(key) == "password") copy["password_repeat"] = value;
    const auto r = post("certificate", copy);
    EXPECT_EQ(r.status, status) << key << ": " << r.body;
  }
  auto empty = request;
  empty["password"] = "";
  empty["password_repeat"] = "";
  EXPECT_EQ(post("certificate", empty).status, 400) << "empty passwords are not allowed here";
  EXPECT_EQ(tokens_of("bob%40acme.example"), 0) << "refusals store nothing";

  const auto issued = post("certificate", request);
  ASSERT_EQ(issued.status, 200) << issued.body;
  const auto detail = json_of(issued).at("detail").as_object();
  EXPECT_EQ(detail.at("rollout_state"), "enrolled");
  const auto der = crypto::base64_decode(std::string(detail.at("pkcs12").as_string()));
  ASSERT_TRUE(der);
  write_file(server_->dir() / "bob.p12", std::string(der->begin(), der->end()));
  const auto opened_p12 =
      shell_output("openssl pkcs12 -in " + (server_->dir() / "bob.p12").string() +
                   " -passin pass:Bob-Secret-123 -nodes 2>&1");
  EXPECT_NE(opened_p12.find("BEGIN PRIVATE KEY"), std::string::npos) << opened_p12;
  const std::string certificate(detail.at("certificate").as_string());
  EXPECT_NE(verify(certificate).find(": OK"), std::string::npos) << verify(certificate);
  write_file(server_->dir() / "bob.pem", certificate);
  const auto text =
      shell_output("openssl x509 -noout -text -in " + (server_->dir() / "bob.pem").string());
  EXPECT_NE(text.find("CN = Bob Brown"), std::string::npos) << text;
  EXPECT_NE(text.find("email:bob@acme.example"), std::string::npos) << text;

  // Bob is a user of realm corp now, and the certificate a token like any other.
  EXPECT_EQ(tokens_of("bob%40acme.example"), 1);
  const std::string serial(detail.at("serial").as_string());
  const auto info = token(serial).at("info").as_object();
  EXPECT_EQ(info.at("enrollment_form"), "staff");
  EXPECT_EQ(info.at("eula_version"), 1);

  // The admin sees it among the form's enrollments.
  const auto enrollments = json_of(api_->call("GET", "/enrollmentform/staff/enrollments", admin_));
  ASSERT_EQ(enrollments.at("result").at("value").at("count"), 1) << enrollments;
  const auto& row = enrollments.at("result").at("value").at("enrollments").at(0);
  EXPECT_EQ(row.at("user"), "bob@acme.example");
  EXPECT_EQ(row.at("enrollment_account"), "shared");

  // Bob sees his certificate on the form's page and revokes it there.
  const auto mine = post("certificates", {{"session", session}});
  ASSERT_EQ(mine.status, 200) << mine.body;
  const auto listed = json_of(mine);
  ASSERT_EQ(listed.at("result").at("value").as_array().size(), 1u);
  EXPECT_EQ(std::string(listed.at("result").at("value").at(0).at("serial").as_string()), serial);
  EXPECT_EQ(post("revoke", {{"session", session}, {"serial", "NOSUCH1"}}).status, 404);
  EXPECT_EQ(post("revoke", {{"session", session}, {"serial", serial}, {"reason", "keyCompromise"}})
                .status,
            200);
  EXPECT_EQ(token(serial).at("revoked"), true);
  EXPECT_EQ(post("revoke", {{"session", session}, {"serial", serial}}).status, 400);
}

TEST_F(SelfEnrollment, ASecretIdAnAccountForPersonsAndTheirOwnCsr) {
  // A wrong secret ID and an unknown person read alike.
  const auto wrong =
      post("session", {{"email", "ann@acme.example"}, {"secret_id", "not-it-at-all"}});
  const auto nobody =
      post("session", {{"email", "zed@acme.example"}, {"secret_id", "not-it-at-all"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(nobody.status, 401);
  EXPECT_EQ(message(wrong), message(nobody));
  const auto opened =
      json_of(post("session", {{"email", "ann@acme.example"}, {"secret_id", ann_secret_}}));
  const std::string session(opened.at("result").at("value").at("session").as_string());
  EXPECT_EQ(opened.at("result").at("value").at("names").at("last_name"), "Lee")
      << "a known person's names, for the form";
  const auto accounts = post("accounts", {{"session", session}});
  const auto listed = json_of(accounts);  // kept: open refers into it
  const auto& open = listed.at("result").at("value").as_array();
  ASSERT_EQ(open.size(), 1u) << accounts.body;
  EXPECT_EQ(open[0].at("name"), "persons");
  EXPECT_EQ(open[0].at("profiles").as_array().size(), 2u);

  const auto csr = shell_output(
      "openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout /dev/null "
      "-subj /CN=whatever 2>/dev/null");
  boost::json::object request{{"session", session},     {"account", "persons"},
                              {"profile", "corp/user"}, {"csr", csr},
                              {"eula_accepted", true},  {"eula_version", 1}};
  auto no_csr = request;
  no_csr.erase("csr");
  EXPECT_EQ(post("certificate", no_csr).status, 400);
  const auto issued = post("certificate", request);
  ASSERT_EQ(issued.status, 200) << issued.body;
  const std::string certificate(json_of(issued).at("detail").at("certificate").as_string());
  EXPECT_NE(verify(certificate).find(": OK"), std::string::npos);
  write_file(server_->dir() / "ann.pem", certificate);
  EXPECT_NE(
      shell_output("openssl x509 -noout -subject -in " + (server_->dir() / "ann.pem").string())
          .find("CN = Ann Lee"),
      std::string::npos)
      << "the names come from the person's record";

  // A profile with approval: the request waits; once an admin approves, Ann is mailed the
  // form's page (a handler on enrollment_form_issued) and collects the certificate there.
  ASSERT_EQ(api_->call("POST", "/event/", admin_,
                       "name=collect&event=enrollment_form_issued&handlermodule=mail&action="
                       "sendmail&option.to=tokenowner&option.subject=Your%20certificate&option."
                       "body=Collect%20it%20at%20%7Benrollment_url%7D")
                .status,
            200);
  request["profile"] = "corp/approved";
  const auto waiting = post("certificate", request);
  ASSERT_EQ(waiting.status, 200) << waiting.body;
  EXPECT_EQ(json_of(waiting).at("detail").at("rollout_state"), "pending");
  EXPECT_EQ(tokens_of("ann%40acme.example"), 2);
  const std::string pending(json_of(waiting).at("detail").at("serial").as_string());
  ASSERT_EQ(api_->call("POST", "/token/approve/" + pending, admin_).status, 200);
  ASSERT_TRUE(eventually([&] { return !mails_in(maildir_).empty(); }, 30));
  const auto mail = mails_in(maildir_).front();
  EXPECT_NE(mail.find("To: ann@acme.example"), std::string::npos) << mail;
  EXPECT_NE(mail.find("Collect it at https://tessera.example/enroll/" + extension_),
            std::string::npos)
      << mail;
  const auto collected = json_of(post("certificates", {{"session", session}}));
  std::string certificate_of_pending;
  for (const auto& c : collected.at("result").at("value").as_array())
    if (c.at("serial").as_string() == pending && c.as_object().contains("certificate"))
      certificate_of_pending = std::string(c.at("certificate").as_string());
  EXPECT_NE(verify(certificate_of_pending).find(": OK"), std::string::npos) << collected;
}

TEST_F(SelfEnrollment, GuessingSecretIdsIsLockedOutAndAnOldUrlIsGone) {
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(post("session",
                   {{"email", "ann@acme.example"}, {"secret_id", "guess-" + std::to_string(i)}})
                  .status,
              401);
  const auto locked = post("session", {{"email", "ann@acme.example"}, {"secret_id", ann_secret_}});
  EXPECT_EQ(locked.status, 401) << "locked, even with the right one";
  auto audit = api_->call(
      "GET", "/audit/?action=POST%20/enroll/%3Cextension%3E/session&page_size=1", admin_);
  EXPECT_NE(audit.body.find("locked after too many attempts"), std::string::npos) << audit.body;

  // A person of another department: the Sales account is not open to them, and guessing
  // access codes is locked out too.
  const auto cy = api_->call("POST", "/person/", admin_,
                             "organization=acme&email=cy%40acme.example&first_name=Cy&last_name="
                             "Dee&department=Engineering&secret_id=cys-own-secret");
  ASSERT_EQ(cy.status, 200) << cy.body;
  const auto session = session_by_secret("cy@acme.example", "cys-own-secret");
  const auto offered = json_of(post("accounts", {{"session", session}}));
  EXPECT_TRUE(offered.at("result").at("value").as_array().empty()) << offered;
  const auto outside = post("certificate", {{"session", session},
                                            {"account", "persons"},
                                            {"profile", "corp/user"},
                                            {"csr", "-----BEGIN CERTIFICATE REQUEST-----"},
                                            {"eula_accepted", true},
                                            {"eula_version", 1}});
  EXPECT_EQ(outside.status, 403) << outside.body;
  for (int i = 0; i < 5; ++i)
    post("accounts", {{"session", session}, {"access_code", "guess-" + std::to_string(i)}});
  EXPECT_EQ(post("accounts", {{"session", session}, {"access_code", "acme-shared-2026"}}).status,
            429)
      << "locked, even with the right code";

  const auto old = extension_;
  ASSERT_EQ(api_->call("POST", "/enrollmentform/staff/regenerate", admin_).status, 200);
  EXPECT_EQ(api_->client()->get(server_->url() + "/enroll/" + old + "/form").status, 404);
  ASSERT_EQ(api_->call("POST", "/enrollmentform/staff", admin_,
                       "auth_types=secret_id&eula=Use%20it%20well&enabled=0")
                .status,
            200);
  const auto forms = json_of(api_->call("GET", "/enrollmentform/", admin_));
  extension_ = std::string(forms.at("result").at("value").at("staff").at("extension").as_string());
  EXPECT_EQ(post("session", {{"email", "ann@acme.example"}, {"secret_id", ann_secret_}}).status,
            404)
      << "a disabled form";
}

}  // namespace
}  // namespace tessera::testing
