// The event engine end to end: handlers created over the API, mails through a real SMTP server
// on loopback (aiosmtpd), webhooks to a receiver that checks their HMAC signature, token
// actions, and the outbox keeping deliveries through an SMTP outage and a SIGKILL.
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <regex>
#include <set>
#include <thread>

#include <soci/soci.h>

#include "tests/integration/mail_sink.hpp"
#include "tests/integration/token_fixture.hpp"
#include "tests/support/peer_process.hpp"

namespace tessera::testing {
namespace {

class Events : public TokenFixture {
 protected:
  void SetUp() override {
    make_maildir();
    start(options());
    ASSERT_EQ(api_->call("PUT", "/user/", admin_,
                         "user=alice&resolver=local&givenname=Alice&surname=Example&email=alice%"
                         "40corp.example")
                  .status,
              200);
    add_mail_notifier();
  }
  void make_maildir() {
    smtp_port_ = free_port();
    maildir_ = make_temp_dir("tessera-mail");
    for (const char* sub : {"tmp", "new", "cur"}) std::filesystem::create_directory(maildir_ / sub);
  }
  // "mail": plain SMTP to the sink on smtp_port_.
  void add_mail_notifier() {
    ASSERT_EQ(api_->call("POST", "/notifier/mail", admin_,
                         "type=email&host=127.0.0.1&security=none&sender=tessera%40corp.example&"
                         "port=" +
                             std::to_string(smtp_port_))
                  .status,
              200);
  }
  void TearDown() override {
    smtp_.reset();
    server_.reset();
    std::filesystem::remove_all(maildir_);
    if (!kept_.empty()) std::filesystem::remove_all(kept_);
  }

  virtual ServerOptions options() const {
    return {.plugin_directories = {TESSERA_PLUGIN_DIR},
            .plugins_extra = "  deadlines: { notification_ms: 5000 }\n",
            .top_extra = "events: { retry_base_seconds: 1, max_attempts: 4 }\n"};
  }
  // The same server again, on the data it left.
  void restart_in(const std::filesystem::path& dir) {
    server_ = std::make_unique<ServerProcess>(options(), dir);
    api_ = std::make_unique<TokenApi>(server_->url(), "");
    admin_ = api_->login("admin", "test-admin-pw");
  }
  void start_smtp() {
    smtp_ = std::make_unique<Peer>(std::vector<std::string>{
        "/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(smtp_port_),
        "-c", "aiosmtpd.handlers.Mailbox", maildir_.string()});
  }
  long long handler(const std::string& params) {
    auto r = api_->call("POST", "/event/", admin_, params);
    EXPECT_EQ(r.status, 200) << r.body;
    return json_of(r).at("result").at("value").as_int64();
  }
  std::string mail_handler(const std::string& name, const std::string& event,
                           const std::string& extra) {
    return "name=" + name + "&event=" + event +
           "&handlermodule=mail&action=sendmail&option.to=tokenowner" + extra;
  }
  size_t mail_count() { return mails_in(maildir_).size(); }

  int smtp_port_ = 0;
  std::filesystem::path maildir_;
  std::unique_ptr<Peer> smtp_;
  std::filesystem::path kept_;
};

TEST_F(Events, APendingCertificateMailsItsOwnerAndThenTheIssuedOne) {
  start_smtp();
  ASSERT_EQ(api_->call("POST", "/caconnector/corp", admin_, "type=ca_local").status, 200);
  ASSERT_EQ(
      api_->call("POST", "/caconnector/corp/profile/user", admin_, "key_types=ec-p256&approval=1")
          .status,
      200);
  handler(
      mail_handler("pending-mail", "token_init",
                   "&condition.rollout_state=pending&option.subject=Request%20%7Bserial%7D%20"
                   "is%20pending&option.body=Dear%20%7Bgivenname%7D%20%7Bsurname%7D%2C%20"
                   "your%20%7Btokentype%7D%20request%20%7Bserial%7D%20is%20%7Brollout_state%7D."));
  handler(mail_handler("issued-mail", "certificate_issued",
                       "&option.subject=Certificate%20%7Bserial%7D%20is%20ready&option.body="
                       "Hello%20%7Bgivenname%7D%2C%20it%20is%20%7Brollout_state%7D%20(was%20%7Bold_"
                       "rollout_state%7D)%2C%20valid%20until%20%7Bnot_after%7D."));

  // Alice asks for a certificate: it waits for an approver, and she is told.
  const auto alice = api_->login("alice", "alice-password", "corp");
  const auto csr = shell_output(
      "openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout /dev/null "
      "-subj /CN=x 2>/dev/null");
  auto client = api_->client();
  client->header("Authorization: " + alice);
  auto r = client->post(
      server_->url() + "/token/init",
      boost::json::serialize(boost::json::object{{"type", "certificate"}, {"request", csr}}),
      "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string serial(json_of(r).at("detail").at("serial").as_string());
  ASSERT_TRUE(eventually([&] { return mail_count() == 1; }))
      << mail_count() << api_->call("GET", "/event/outbox", admin_).body;
  const auto pending = mails_in(maildir_).at(0);
  EXPECT_NE(pending.find("To: alice@corp.example"), std::string::npos) << pending;
  // The delivery's number and its event's time: the same if the mail is ever sent again.
  EXPECT_TRUE(
      std::regex_search(pending, std::regex("Message-ID: <[0-9]+\\.[0-9]+@corp\\.example>")))
      << pending;
  EXPECT_NE(pending.find("Subject: Request " + serial + " is pending"), std::string::npos);
  EXPECT_NE(pending.find("Dear Alice Example, your certificate request " + serial + " is pending."),
            std::string::npos)
      << pending;

  // An admin approves: the life-cycle event tells her it is ready.
  ASSERT_EQ(api_->call("POST", "/token/approve/" + serial, admin_).status, 200);
  ASSERT_TRUE(eventually([&] { return mail_count() == 2; })) << mail_count();
  const auto issued = mails_in(maildir_).at(1);
  EXPECT_NE(issued.find("Subject: Certificate " + serial + " is ready"), std::string::npos)
      << issued;
  EXPECT_NE(issued.find("Hello Alice, it is enrolled (was pending), valid until 20"),
            std::string::npos)
      << issued;
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(mail_count(), 2u) << "each mail once";
}

TEST_F(Events, TheOutboxKeepsMailsThroughAnOutageAndASigkill) {
  handler(mail_handler("enrolled", "token_init",
                       "&option.subject=New%20token%20%7Bserial%7D&option.body=A%20%7Btokentype%7D"
                       "%20token%20for%20%7Buser%7D."));
  // No SMTP server: the requests still complete; the deliveries wait in the outbox.
  std::vector<std::string> serials;
  for (int i = 0; i < 10; ++i) {
    auto r = enroll("type=hotp&genkey=1&user=alice&realm=corp");
    serials.emplace_back(r.at("detail").at("serial").as_string());
  }
  ASSERT_TRUE(eventually([&] {
    auto waiting = json_of(api_->call("GET", "/event/outbox?state=pending", admin_));
    const auto& list = waiting.at("result").at("value").as_array();
    return list.size() == 10 && !list.at(0).at("last_error").as_string().empty();
  })) << api_->call("GET", "/event/outbox", admin_).body;

  // Killed with the deliveries still waiting, and five more events just recorded.
  for (int i = 0; i < 5; ++i) {
    auto r = enroll("type=hotp&genkey=1&user=alice&realm=corp");
    serials.emplace_back(r.at("detail").at("serial").as_string());
  }
  server_->signal(SIGKILL);
  server_->wait_exit();
  // The same data in a folder of our own (the first server's folder goes with it).
  kept_ = make_temp_dir("tessera-kept");
  std::filesystem::copy(server_->dir(), kept_, std::filesystem::copy_options::recursive);
  server_.reset();
  start_smtp();
  restart_in(kept_);  // nothing was lost
  ASSERT_TRUE(eventually([&] { return mail_count() >= serials.size(); }, 40)) << mail_count();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const auto mails = mails_in(maildir_);
  EXPECT_EQ(mails.size(), serials.size()) << "every mail, each once";
  for (const auto& serial : serials)
    EXPECT_EQ(std::count_if(mails.begin(), mails.end(),
                            [&](const std::string& m) {
                              return m.find("Subject: New token " + serial) != std::string::npos;
                            }),
              1)
        << serial;
  EXPECT_NE(mails.at(0).find("A hotp token for alice."), std::string::npos) << mails.at(0);
  // The outbox a page at a time, newest first.
  const auto page = [&](int number) {
    const auto r = api_->call(
        "GET", "/event/outbox?state=delivered&page_size=10&page=" + std::to_string(number), admin_);
    return json_of(r).at("result").at("value").as_object();
  };
  const auto first = page(1), second = page(2);
  EXPECT_EQ(first.at("count"), 15);
  EXPECT_EQ(first.at("deliveries").as_array().size(), 10u);
  EXPECT_EQ(first.at("next"), 2);
  EXPECT_EQ(second.at("deliveries").as_array().size(), 5u);
  EXPECT_TRUE(second.at("next").is_null());
  EXPECT_GT(first.at("deliveries").at(9).at("id").as_int64(),
            second.at("deliveries").at(0).at("id").as_int64());
}

// The code in a mail, or empty.
std::string code_in(const std::string& mail) {
  const std::string marker = "your sign-in code is ";
  const auto at = mail.find(marker);
  return at == std::string::npos ? "" : mail.substr(at + marker.size(), 6);
}

TEST_F(Events, AnEmailTokenSendsItsCodeWhenThePinIsRightAndTakesItOnce) {
  auto serial = std::string(enroll("type=email&user=alice&realm=corp&pin=1234&serial=MAIL1")
                                .at("detail")
                                .at("serial")
                                .as_string());
  ASSERT_EQ(serial, "MAIL1");
  EXPECT_EQ(api_->call("POST", "/token/init", admin_,
                       "type=email&user=alice&realm=corp&otpkey=" + std::string(40, 'a'))
                .status,
            400)
      << "the server makes the key";
  // Without a policy that names the action the code cannot go: an outage, nothing counted.
  auto no_policy = api_->check("user=alice&realm=corp&pass=1234");
  EXPECT_EQ(no_policy.status, 503);
  set_policy("mailcodes", "scope=authentication&action=challenge_notification=mail");
  // The SMTP server is down: the same, and no challenge is opened.
  EXPECT_EQ(api_->check("user=alice&realm=corp&pass=1234").status, 503);
  EXPECT_EQ(token(serial).at("failcount"), 0);

  start_smtp();  // it takes a moment to listen
  Check challenge;
  ASSERT_TRUE(eventually([&] {
    challenge = api_->check("user=alice&realm=corp&pass=1234");
    return challenge.authentication == "CHALLENGE";
  })) << challenge.status;
  EXPECT_EQ(challenge.message, "Please enter the code that was sent to you by e-mail.");
  ASSERT_FALSE(challenge.transaction_id.empty());
  ASSERT_TRUE(eventually([&] { return mail_count() == 1; })) << mail_count();
  const auto mail = mails_in(maildir_).at(0);
  EXPECT_NE(mail.find("To: alice@corp.example"), std::string::npos) << mail;
  EXPECT_NE(mail.find("Hello Alice,"), std::string::npos) << mail;
  const auto code = code_in(mail);
  ASSERT_EQ(code.size(), 6u) << mail;
  const std::string wrong = code == "000000" ? "111111" : "000000";
  // A wrong PIN sends nothing.
  EXPECT_EQ(api_->check("user=alice&realm=corp&pass=9999").authentication, "REJECT");
  // The code counts only as the answer to its challenge.
  EXPECT_FALSE(api_->check("user=alice&realm=corp&pass=1234" + code).value);
  EXPECT_FALSE(api_->check("user=alice&realm=corp&transaction_id=" + challenge.transaction_id +
                           "&pass=" + wrong)
                   .value);
  auto answered = api_->check("user=alice&realm=corp&transaction_id=" + challenge.transaction_id +
                              "&pass=" + code);
  EXPECT_TRUE(answered.value) << answered.message;
  // Used once: the next challenge sends the next value, and the old one is refused.
  const auto again = api_->check("user=alice&realm=corp&pass=1234");
  ASSERT_EQ(again.authentication, "CHALLENGE");
  ASSERT_TRUE(eventually([&] { return mail_count() == 2; }));
  EXPECT_NE(code_in(mails_in(maildir_).at(1)), code);
  EXPECT_FALSE(
      api_->check("user=alice&realm=corp&transaction_id=" + again.transaction_id + "&pass=" + code)
          .value);
  // The code went at once, not through the outbox, where it would be stored.
  EXPECT_TRUE(json_of(api_->call("GET", "/event/outbox", admin_))
                  .at("result")
                  .at("value")
                  .as_array()
                  .empty());
}

TEST_F(Events, MailGoesThroughStarttlsWithALoginAndThroughImplicitTls) {
  // A server certificate for 127.0.0.1 that the notifiers trust through ca_file.
  const auto certificate = maildir_.parent_path() / (maildir_.filename().string() + ".pem");
  const auto key = maildir_.parent_path() / (maildir_.filename().string() + ".key");
  ASSERT_EQ(std::system(("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                         "-days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
                         "-keyout " +
                         key.string() + " -out " + certificate.string() + " 2>/dev/null")
                            .c_str()),
            0);
  const auto sink = std::string(TESSERA_TEST_SCRIPTS) + "/smtp_sink.py";
  const auto starttls_port = free_port(), tls_port = free_port();
  Peer starttls({"/usr/bin/python3", sink, std::to_string(starttls_port), maildir_.string(),
                 "starttls", certificate.string(), key.string(), "tessera", "mail-pw"});
  Peer tls({"/usr/bin/python3", sink, std::to_string(tls_port), maildir_.string(), "tls",
            certificate.string(), key.string()});
  const auto common =
      "&host=127.0.0.1&sender=tessera%40corp.example&ca_file=" + certificate.string();
  ASSERT_EQ(api_->call("POST", "/notifier/secure", admin_,
                       "type=email&security=starttls&username=tessera&password=mail-pw&port=" +
                           std::to_string(starttls_port) + common)
                .status,
            200);
  ASSERT_EQ(api_->call("POST", "/notifier/wrapped", admin_,
                       "type=email&security=tls&port=" + std::to_string(tls_port) + common)
                .status,
            200);
  ASSERT_EQ(api_->call("POST", "/notifier/wrong-login", admin_,
                       "type=email&security=starttls&username=tessera&password=guess&port=" +
                           std::to_string(starttls_port) + common)
                .status,
            200);
  for (const char* module : {"secure", "wrapped", "wrong-login"})
    handler(std::string("name=") + module + "&event=token_init&handlermodule=" + module +
            "&action=sendmail&option.to=tokenowner&option.subject=via%20" + module +
            "&option.body=%7Bserial%7D");
  enroll("type=hotp&genkey=1&user=alice&realm=corp");
  ASSERT_TRUE(eventually([&] { return mail_count() == 2; }, 30))
      << mail_count() << api_->call("GET", "/event/outbox", admin_).body;
  std::string subjects;
  for (const auto& mail : mails_in(maildir_))
    subjects += mail.substr(mail.find("Subject: "),
                            mail.find("\n", mail.find("Subject: ")) - mail.find("Subject: "));
  EXPECT_NE(subjects.find("via secure"), std::string::npos) << subjects;
  EXPECT_NE(subjects.find("via wrapped"), std::string::npos) << subjects;
  // A wrong password is not accepted: that delivery is not delivered (it waits for a retry).
  const auto outbox = json_of(api_->call("GET", "/event/outbox", admin_));
  bool seen = false;
  for (const auto& row : outbox.at("result").at("value").as_array())
    if (row.at("handler") == "wrong-login") {
      seen = true;
      EXPECT_NE(row.at("state"), "delivered");
    }
  EXPECT_TRUE(seen);
  EXPECT_EQ(mail_count(), 2u);
  std::filesystem::remove(certificate);
  std::filesystem::remove(key);
}

TEST_F(Events, TheActingAdminIsMailedAtTheAddressSetFromTheShell) {
  start_smtp();
  auto set = run_server_command({"--config", (server_->dir() / "tessera.yaml").string(), "admin",
                                 "email", "admin", "helpdesk@corp.example"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  auto bad = run_server_command({"--config", (server_->dir() / "tessera.yaml").string(), "admin",
                                 "email", "admin", "not an address"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("is not an e-mail address"), std::string::npos) << bad.err;
  handler(
      "name=by-admin&event=token_init&handlermodule=mail&action=sendmail&"
      "option.to=logged_in_user&option.subject=%7Badmin%7D%20enrolled%20%7Bserial%7D&"
      "option.body=For%20%7Buser%7D.");
  const auto serial = std::string(
      enroll("type=hotp&genkey=1&user=alice&realm=corp").at("detail").at("serial").as_string());
  ASSERT_TRUE(eventually([&] { return mail_count() == 1; })) << mail_count();
  const auto mail = mails_in(maildir_).at(0);
  EXPECT_NE(mail.find("To: helpdesk@corp.example"), std::string::npos) << mail;
  EXPECT_NE(mail.find("Subject: admin enrolled " + serial), std::string::npos) << mail;
}

TEST_F(Events, WebhooksAreSignedAndABadSignatureEndsDead) {
  const auto port = free_port();
  const auto received = make_temp_dir("tessera-hooks");
  Peer receiver({"/usr/bin/python3", std::string(TESSERA_TEST_SCRIPTS) + "/webhook_receiver.py",
                 std::to_string(port), "s3cret", received.string()});
  const auto url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  ASSERT_EQ(
      api_->call("POST", "/notifier/hook", admin_, "type=webhook&secret=s3cret&url=" + url).status,
      200);
  ASSERT_EQ(
      api_->call("POST", "/notifier/forged", admin_, "type=webhook&secret=other&url=" + url).status,
      200);
  handler("name=hook&event=token_init&handlermodule=hook&action=post_webhook");
  handler("name=forged&event=token_init&handlermodule=forged&action=post_webhook");
  const auto serial = std::string(
      enroll("type=hotp&genkey=1&user=alice&realm=corp").at("detail").at("serial").as_string());
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(received / "1.json"); }));
  auto body = boost::json::parse(read_file(received / "1.json")).as_object();
  EXPECT_EQ(body.at("event").at("event"), "token_init");
  EXPECT_EQ(body.at("event").at("token").at("serial").as_string(), serial);
  EXPECT_EQ(body.at("tags").at("user"), "alice");
  // The receiver refuses the other signature: retried, then dead, listed for the admin.
  ASSERT_TRUE(eventually(
      [&] {
        auto dead = json_of(api_->call("GET", "/event/outbox?state=dead", admin_));
        return dead.at("result").at("value").as_array().size() == 1;
      },
      30));
  auto dead = json_of(api_->call("GET", "/event/outbox?state=dead", admin_))
                  .at("result")
                  .at("value")
                  .at(0)
                  .as_object();
  EXPECT_EQ(dead.at("handler"), "forged");
  EXPECT_EQ(dead.at("event"), "token_init");
  EXPECT_EQ(dead.at("serial").as_string(), serial);
  std::set<std::string> keys;
  for (const auto& [key, value] : dead) keys.insert(std::string(key));
  EXPECT_EQ(keys, (std::set<std::string>{"id", "event_id", "event", "serial", "handler",
                                         "handlermodule", "action", "state", "attempts",
                                         "next_attempt", "last_error", "created", "delivered"}))
      << "a listing shows no options, tags or recipients";
  EXPECT_EQ(dead.at("attempts"), 4);
  EXPECT_NE(std::string(dead.at("last_error").as_string()).find("answered HTTP 401"),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(received / "2.json"));
  // The admin corrects the key; the URL (secret too) is left out and kept. Retried, it arrives.
  EXPECT_EQ(api_->call("POST", "/notifier/forged", admin_, "type=email").status, 400)
      << "a notifier keeps its type";
  const auto notifiers = json_of(api_->call("GET", "/notifier/", admin_));
  long long version = 0;
  for (const auto& n : notifiers.at("result").at("value").as_array())
    if (n.at("name") == "forged") version = n.at("version").as_int64();
  ASSERT_GT(version, 0);
  EXPECT_EQ(api_->call("POST", "/notifier/forged", admin_,
                       "secret=s3cret&version=" + std::to_string(version + 1))
                .status,
            409)
      << "a stale version";
  ASSERT_EQ(api_->call("POST", "/notifier/forged", admin_,
                       "secret=s3cret&version=" + std::to_string(version))
                .status,
            200);
  EXPECT_EQ(
      api_->call("POST", "/notifier/other", admin_, "type=webhook&secret=***&url=" + url).status,
      400)
      << "'***' is no secret";
  const auto id = std::to_string(dead.at("id").as_int64());
  EXPECT_EQ(api_->call("POST", "/event/outbox/retry/" + id, admin_).status, 200);
  EXPECT_EQ(api_->call("POST", "/event/outbox/retry/" + id, admin_).status, 400) << "not dead";
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(received / "2.json"); }))
      << api_->call("GET", "/event/outbox", admin_).body;
  std::filesystem::remove_all(received);
}

TEST_F(Events, ATokenActionDisablesATokenAfterFailedChecks) {
  ASSERT_EQ(api_->call("POST", "/notifier/tokens", admin_, "type=token").status, 200);
  set_policy("two-strikes", "scope=authentication&action=max_fail=2");
  handler(
      "name=locked&event=token_locked&handlermodule=tokens&action=set_tokeninfo&"
      "option.key=locked_event&option.value=%7Bfailcount%7D%20at%20%7Bdate%7D");
  handler(
      "name=lock-out&event=validate_check&handlermodule=tokens&action=disable&"
      "condition.failcounter=%3E%3D2&condition.result_value=false");
  handler(
      "name=mark&event=validate_check&handlermodule=tokens&action=set_tokeninfo&"
      "option.key=last_failure&option.value=%7Bclient_ip%7D&condition.result_value=false");
  enroll("type=hotp&user=alice&realm=corp&serial=H1&otpkey=" + kSeed20);
  EXPECT_FALSE(api_->check("user=alice&realm=corp&pass=000000").value);
  EXPECT_FALSE(api_->check("user=alice&realm=corp&pass=000001").value);
  auto token = [&] {
    return json_of(api_->call("GET", "/token/?serial=H1", admin_))
        .at("result")
        .at("value")
        .at("tokens")
        .at(0)
        .as_object();
  };
  ASSERT_TRUE(eventually([&] { return !token().at("active").as_bool(); }));
  EXPECT_EQ(token().at("info").at("last_failure"), "127.0.0.1");
  EXPECT_EQ(token().at("failcount"), 2);
  ASSERT_TRUE(eventually([&] { return token().at("info").as_object().contains("locked_event"); }));
  EXPECT_EQ(std::string(token().at("info").at("locked_event").as_string()).rfind("2 at 20", 0), 0u)
      << token().at("info");
}

// A CA that decides later: the pending poller asks it and moves the token on, and the
// life-cycle event mails the owner.
class PendingCa : public Events {
 protected:
  void SetUp() override {
    make_maildir();
    // The fixture CA sits in a folder of its own, beside the bundled plugins.
    ServerOptions with_fixture{
        .plugin_directories = {TESSERA_PLUGIN_DIR, TESSERA_PENDING_CA_PLUGIN_DIR},
        .top_extra =
            "events: { retry_base_seconds: 1, max_attempts: 4, poll_interval_seconds: 1 }\n"};
    kept_ = make_temp_dir("tessera-pending");
    server_ = std::make_unique<ServerProcess>(with_fixture, kept_);
    api_ = std::make_unique<TokenApi>(server_->url(), "");
    admin_ = api_->login("admin", "test-admin-pw");
    ASSERT_EQ(api_->call("POST", "/resolver/local", admin_, "type=sql").status, 200);
    ASSERT_EQ(api_->call("POST", "/realm/corp", admin_, "resolvers=local").status, 200);
    ASSERT_EQ(api_->call("POST", "/user/", admin_,
                         "user=alice&resolver=local&password=alice-password&givenname=Alice&"
                         "email=alice%40corp.example")
                  .status,
              200);
    add_mail_notifier();
    for (const char* ca : {"later", "never"}) {
      ASSERT_EQ(api_->call("POST", std::string("/caconnector/") + ca, admin_,
                           std::string("type=pending_ca&answer=") +
                               (std::string(ca) == "later" ? "issue" : "deny"))
                    .status,
                200);
      ASSERT_EQ(api_->call("POST", std::string("/caconnector/") + ca + "/profile/user", admin_,
                           "key_types=ec-p256")
                    .status,
                200);
    }
  }
  std::string request_from(const std::string& ca, const std::string& state = "pending") {
    const auto csr = shell_output(
        "openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout /dev/null "
        "-subj /CN=x 2>/dev/null");
    auto client = api_->client();
    client->header("Authorization: " + admin_);
    auto r = client->post(server_->url() + "/token/init",
                          boost::json::serialize(boost::json::object{{"type", "certificate"},
                                                                     {"user", "alice"},
                                                                     {"realm", "corp"},
                                                                     {"ca", ca},
                                                                     {"request", csr}}),
                          "application/json");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json_of(r).at("detail").at("rollout_state").as_string(), state);
    return std::string(json_of(r).at("detail").at("serial").as_string());
  }
  std::string state_of(const std::string& serial) {
    return std::string(json_of(api_->call("GET", "/token/?serial=" + serial, admin_))
                           .at("result")
                           .at("value")
                           .at("tokens")
                           .at(0)
                           .at("rollout_state")
                           .as_string());
  }
};

TEST_F(PendingCa, ThePollerCollectsIssuedAndDeniedRequests) {
  start_smtp();
  handler(mail_handler("ready", "certificate_issued",
                       "&option.subject=Ready%20%7Bserial%7D&option.body=Yours%2C%20%7Bgivenname%7D"
                       "%2C%20until%20%7Bnot_after%7D."));
  const auto issued = request_from("later");
  const auto denied = request_from("never");
  EXPECT_EQ(api_->call("POST", "/token/approve/" + issued, admin_).status, 400)
      << "it waits for its CA, not for an approver";
  ASSERT_TRUE(eventually([&] { return state_of(issued) == "enrolled"; }, 30));
  ASSERT_TRUE(eventually([&] { return state_of(denied) == "denied"; }, 30));
  ASSERT_TRUE(eventually([&] { return mail_count() == 1; }));
  EXPECT_NE(mails_in(maildir_).at(0).find("Subject: Ready " + issued), std::string::npos);
  const auto history = json_of(api_->call("GET", "/token/history/" + denied, admin_));
  const auto& last = history.at("result").at("value").at("transitions").as_array().back();
  EXPECT_EQ(last.at("to"), "denied");
  EXPECT_EQ(last.at("actor"), "CA never");
  EXPECT_EQ(last.at("reason"), "the test CA says no");
}

// A revocation that its CA cannot take now waits in the outbox and reaches the CA later.
TEST_F(PendingCa, ARevocationTheCaMissesIsRetriedFromTheOutbox) {
  ASSERT_EQ(
      api_->call("POST", "/caconnector/flaky", admin_, "type=pending_ca&polls=0&revoke_failures=2")
          .status,
      200);
  ASSERT_EQ(
      api_->call("POST", "/caconnector/flaky/profile/user", admin_, "key_types=ec-p256").status,
      200);
  const auto serial = request_from("flaky", "enrolled");
  const auto revoked =
      api_->call("POST", "/token/revoke/" + serial, admin_, "reason=keyCompromise");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(state_of(serial), "revoked") << "the token is revoked at once";
  auto revocation = [&] {
    const auto list = json_of(api_->call("GET", "/event/outbox", admin_));
    for (const auto& row : list.at("result").at("value").as_array())
      if (row.at("handlermodule") == "@ca") return row.as_object();
    return boost::json::object{};
  };
  const auto queued = revocation();
  ASSERT_FALSE(queued.empty()) << "the revocation is in the outbox";
  EXPECT_EQ(queued.at("serial").as_string(), serial);
  EXPECT_EQ(queued.at("action"), "revoke");
  EXPECT_EQ(queued.at("event"), "certificate_revocation");
  EXPECT_NE(std::string(queued.at("last_error").as_string()).find("the test CA is down"),
            std::string::npos)
      << queued;
  ASSERT_TRUE(eventually([&] { return revocation().at("state") == "delivered"; }, 30))
      << revocation();
  EXPECT_EQ(revocation().at("attempts"), 3);
  soci::session db("sqlite3", "db=" + (kept_ / "data" / "tessera.db").string());
  db << "PRAGMA busy_timeout=10000";
  int told = 0;
  db << "SELECT COUNT(*) FROM plugin_store WHERE object_id = 'revoked'", soci::into(told);
  EXPECT_EQ(told, 1) << "the CA revoked the certificate once it was back";
  const auto audit = json_of(api_->call(
      "GET", "/audit/?action=POST%20/token/revoke/%3Cserial%3E&serial=" + serial, admin_));
  const auto info =
      std::string(audit.at("result").at("value").at("auditdata").at(0).at("info").as_string());
  EXPECT_NE(info.find("retried from the outbox"), std::string::npos) << info;
}

// Certificates are announced before they expire, once each.
class ExpiringCertificates : public Events {
 protected:
  ServerOptions options() const override {
    return {.plugin_directories = {TESSERA_PLUGIN_DIR},
            .top_extra =
                "events: { retry_base_seconds: 1, expiry_warning_days: 400, "
                "poll_interval_seconds: 1 }\n"};
  }
};

TEST_F(ExpiringCertificates, TheOwnerHearsHowManyDaysAreLeft) {
  start_smtp();
  ASSERT_EQ(api_->call("POST", "/caconnector/corp", admin_, "type=ca_local").status, 200);
  ASSERT_EQ(
      api_->call("POST", "/caconnector/corp/profile/user", admin_, "key_types=ec-p256").status,
      200);
  handler(mail_handler("expiry", "certificate_expiring",
                       "&option.subject=%7Bserial%7D%20ends%20in%20%7Bdays_left%7D%20days"
                       "&option.body=On%20%7Bnot_after%7D."));
  const auto r = enroll("type=certificate&genkey=1&user=alice&realm=corp&password=12345678");
  const std::string serial(r.at("detail").at("serial").as_string());
  ASSERT_TRUE(eventually([&] { return mail_count() == 1; }, 30)) << mail_count();
  const auto mail = mails_in(maildir_).at(0);
  EXPECT_NE(mail.find("Subject: " + serial + " ends in 365 days"), std::string::npos) << mail;
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(mail_count(), 1u) << "announced once";
}

TEST_F(Events, AHandlerEditedFromAStaleFormIsRefused) {
  const auto params = mail_handler("edited", "token_init", "&option.subject=s&option.body=b");
  const auto id = std::to_string(handler(params));
  auto read = [&] {
    return json_of(api_->call("GET", "/event/" + id, admin_)).at("result").at("value").at(0);
  };
  const auto version = read().at("version").as_int64();
  const auto save = [&](const std::string& subject) {
    return api_->call(
        "POST", "/event/", admin_,
        "id=" + id + "&version=" + std::to_string(version) + "&" +
            mail_handler("edited", "token_init", "&option.subject=" + subject + "&option.body=b"));
  };
  EXPECT_EQ(save("first").status, 200);
  const auto stale = save("second");
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_NE(stale.body.find("event handler 'edited' was changed by someone else"),
            std::string::npos)
      << stale.body;
  EXPECT_EQ(read().at("options").at("subject"), "first");
  EXPECT_EQ(read().at("version").as_int64(), version + 1);
}

TEST_F(Events, HandlersThatCannotWorkAreRefusedAtCreation) {
  const std::pair<std::string, std::string> cases[] = {
      {"name=x&event=token_init&handlermodule=nope&action=sendmail",
       "no notification action 'nope'"},
      {"name=x&event=token_init&handlermodule=mail&action=fax", "has no action 'fax'"},
      {"name=x&event=token_init&handlermodule=mail&action=sendmail&option.to=tokenowner&"
       "option.body=b",
       "needs option 'subject'"},
      {"name=x&event=token_init&handlermodule=mail&action=sendmail&option.to=tokenowner&"
       "option.subject=s&option.body=b&option.colour=red",
       "has no option 'colour'"},
      {"name=x&event=token_init&handlermodule=mail&action=sendmail&option.to=boss&"
       "option.subject=s&option.body=b",
       "option 'to' takes one of"},
      {"name=x&event=token_init&handlermodule=mail&action=sendmail&option.to=email&"
       "option.subject=s&option.body=b",
       "to=email needs to_email"},
      {"name=x&event=token_init&handlermodule=mail&action=sendmail&option.to=tokenowner&"
       "option.subject=s&option.body=b&condition.colour=red",
       "unknown condition 'colour'"},
      {"name=x&event=token_init&handlermodule=mail&action=sendmail&option.to=tokenowner&"
       "option.subject=s&option.body=b&condition.failcounter=many",
       "takes a comparison"},
      {"name=x&event=token_fly&handlermodule=mail&action=sendmail", "unknown event 'token_fly'"},
      {"name=x&event=certificate_issued&position=pre&handlermodule=mail&action=sendmail",
       "has no position pre"},
  };
  for (const auto& [params, reason] : cases) {
    auto r = api_->call("POST", "/event/", admin_, params);
    EXPECT_EQ(r.status, 400) << params;
    EXPECT_NE(r.body.find(reason), std::string::npos) << reason << ": " << r.body;
  }
  auto missing = api_->call("POST", "/notifier/sms", admin_, "type=sms");
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("no notification action type 'sms' (loaded: "), std::string::npos)
      << missing.body;
  EXPECT_EQ(
      json_of(api_->call("GET", "/event/", admin_)).at("result").at("value").as_array().size(), 0u);
  // What the WebUI offers: events, actions with their options, conditions.
  auto actions = json_of(api_->call("GET", "/event/actions/mail", admin_));
  EXPECT_TRUE(actions.at("result")
                  .at("value")
                  .at("sendmail")
                  .at("options")
                  .as_object()
                  .contains("subject"));
}

}  // namespace
}  // namespace tessera::testing
