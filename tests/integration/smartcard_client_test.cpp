// tessera-card against the real server with SoftHSM2 standing in for the card, and OpenSC's
// pkcs11-tool as the independent checker of what ends up on it: a fresh card (an SO PIN, no user
// PIN) is enrolled end to end; a PIN that breaks the policy is refused before the card is
// touched; the certificate logs in over mutual TLS with the key on the card (OpenSSL's pkcs11
// engine), until the card is revoked.
#include <cstdlib>

#include "tests/integration/token_fixture.hpp"

namespace tessera::testing {
namespace {

constexpr const char* kModule = "/usr/lib/softhsm/libsofthsm2.so";
constexpr const char* kSoPin = "12345678";

class SmartcardClient : public TokenFixture {
 protected:
  void SetUp() override {
    card_dir_ = make_temp_dir("tessera-card");
    std::filesystem::create_directory(card_dir_ / "tokens");
    write_file(card_dir_ / "softhsm2.conf",
               "directories.tokendir = " + (card_dir_ / "tokens").string() +
                   "\nobjectstore.backend = file\nlog.level = ERROR\n");
    // A fresh card: an SO PIN, no user PIN yet.
    ASSERT_EQ(run("pkcs11-tool --module " + std::string(kModule) +
                  " --init-token --slot-index 0 --so-pin " + kSoPin + " --label card1"),
              0);
    start({.tls = true, .server_extra = "  tls: { client_certificates: request }\n"});
    ASSERT_EQ(api_->call("POST", "/caconnector/corp", admin_, "type=ca_local").status, 200);
    ASSERT_EQ(api_->call("POST", "/caconnector/corp/profile/card", admin_,
                         "key_types=ec-p256&extended_key_usage=clientAuth,smartcardLogon"
                         "&san_upn=1&san_email=0")
                  .status,
              200);
    set_policy("cardpins",
               "scope=enrollment&action=smartcard_pin_min_length=6,"
               "smartcard_pin_contents=n");
    alice_ = api_->login("alice", "alice-password", "corp");
  }
  void TearDown() override {
    TokenFixture::TearDown();
    std::filesystem::remove_all(card_dir_);
  }

  // A command with the card's configuration, no input, a time limit: its exit code; its output
  // in out_.
  int run(const std::string& command, const std::string& env = "") {
    const auto file = card_dir_ / "out.txt";
    const int rc =
        std::system(("SOFTHSM2_CONF=" + (card_dir_ / "softhsm2.conf").string() + " " + env +
                     " timeout 60 " + command + " </dev/null > " + file.string() + " 2>&1")
                        .c_str());
    out_ = read_file(file);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }
  int card(const std::string& arguments, const std::string& env = "") {
    return run(std::string(TESSERA_CARD_BINARY) + " " + arguments, env);
  }
  // tessera-card enroll for alice, by whoever holds jwt (alice herself by default).
  int enroll(const std::string& pin, const std::string& jwt = "") {
    return card("enroll --module " + std::string(kModule) + " --url " + server_->url() +
                    " --cacert " + server_->certificate_path() + " --user alice --realm corp",
                "TESSERA_TOKEN=" + (jwt.empty() ? alice_ : jwt) + " CARD_SO_PIN=" + kSoPin +
                    " CARD_PIN=" + pin);
  }
  // pkcs11-tool's listing of the card's objects (with the user PIN: the private ones too).
  std::string objects(const std::string& pin = "") {
    run("pkcs11-tool --module " + std::string(kModule) + " --token-label card1 -O" +
        (pin.empty() ? "" : " --login --pin " + pin));
    return out_;
  }

  std::filesystem::path card_dir_;
  std::string alice_, out_;
};

TEST_F(SmartcardClient, AFreshCardIsEnrolledWithItsKeyMadeOnItAndAPinThePolicyTakes) {
  ASSERT_EQ(card("list --module " + std::string(kModule)), 0) << out_;
  EXPECT_NE(out_.find("card1"), std::string::npos) << out_;
  EXPECT_NE(out_.find("user PIN not set"), std::string::npos) << out_;

  // A PIN without a digit breaks the policy: refused before the card is touched.
  EXPECT_EQ(enroll("abcdefg"), 1) << out_;
  EXPECT_NE(out_.find("setting the user PIN: the PIN needs a digit"), std::string::npos) << out_;
  ASSERT_EQ(card("list --module " + std::string(kModule)), 0);
  EXPECT_NE(out_.find("user PIN not set"), std::string::npos) << "no PIN on the card: " << out_;
  EXPECT_EQ(objects().find("Public Key Object"), std::string::npos) << "no key: " << out_;

  ASSERT_EQ(enroll("246810"), 0) << out_;
  for (const char* step : {"card found: card1", "user PIN set", "key made on the card (ec-p256)",
                           "certificate issued", "certificate written to the card", "confirmed"})
    EXPECT_NE(out_.find(step), std::string::npos) << step << ": " << out_;
  const auto listed = json_of(api_->call("GET", "/token/?type=smartcard", admin_));
  const auto& tokens = listed.at("result").at("value").at("tokens").as_array();
  ASSERT_EQ(tokens.size(), 1u) << listed;
  const std::string serial(tokens.at(0).at("serial").as_string());
  EXPECT_EQ(tokens.at(0).at("rollout_state"), "enrolled");
  const std::string certificate_serial(
      tokens.at(0).at("info").at("certificate_serial").as_string());

  // What pkcs11-tool finds with the PIN the tool set: the key, private and never extractable,
  // and the certificate the server issued.
  const auto on_card = objects("246810");
  EXPECT_NE(on_card.find("Private Key Object; EC"), std::string::npos) << on_card;
  EXPECT_NE(on_card.find("sensitive, always sensitive, never extractable, local"),
            std::string::npos)
      << on_card;
  EXPECT_NE(on_card.find("Certificate Object"), std::string::npos) << on_card;
  const auto der = card_dir_ / "cert.der";
  ASSERT_EQ(run("pkcs11-tool --module " + std::string(kModule) +
                " --token-label card1 --read-object --type cert --label 'tessera " + serial +
                "' -o " + der.string()),
            0)
      << out_;
  run("openssl x509 -inform DER -noout -serial -in " + der.string());
  EXPECT_EQ(out_, "serial=" + certificate_serial + "\n");
  // A wrong PIN is refused by the card, the right one taken.
  EXPECT_EQ(objects("999999").find("Private Key Object"), std::string::npos);

  // Mutual TLS with the key on the card (OpenSSL's pkcs11 engine): accepted, until the card is
  // revoked.
  run("openssl x509 -inform DER -in " + der.string() + " -out " +
      (card_dir_ / "cert.pem").string());
  const auto login = [&] {
    run("sh -c \"printf 'POST /validate/check HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: "
        "0\\r\\nConnection: close\\r\\n\\r\\n' | openssl s_client -quiet -connect " +
            server_->url().substr(8) + " -CAfile " + server_->certificate_path() +
            " -engine pkcs11 -keyform engine -key 'pkcs11:token=card1;object=tessera%20" + serial +
            ";type=private;pin-value=246810' -cert " + (card_dir_ / "cert.pem").string() + "\"",
        "PKCS11_MODULE_PATH=" + std::string(kModule));
    return out_;
  };
  EXPECT_NE(login().find("\"authentication\":\"ACCEPT\""), std::string::npos) << out_;
  ASSERT_EQ(api_->call("POST", "/token/revoke/" + serial, admin_, "reason=keyCompromise").status,
            200);
  EXPECT_NE(login().find("\"authentication\":\"REJECT\""), std::string::npos) << out_;
}

// An admin enrolls a card on behalf of alice only with enrollonbehalf in her realm.
TEST_F(SmartcardClient, AnAdminEnrollsOnBehalfOnlyWithTheRight) {
  set_policy("root", "scope=admin&action=policywrite,tokenlist,enrollSMARTCARD,delete");
  EXPECT_EQ(enroll("246810", admin_), 1) << out_;
  EXPECT_NE(out_.find("beginning the enrollment"), std::string::npos) << out_;
  EXPECT_NE(out_.find("'enrollonbehalf'"), std::string::npos) << out_;
  const auto none = json_of(api_->call("GET", "/token/?type=smartcard", admin_));
  EXPECT_EQ(none.at("result").at("value").at("count"), 0) << none;
  ASSERT_EQ(card("list --module " + std::string(kModule)), 0);
  EXPECT_NE(out_.find("user PIN not set"), std::string::npos) << "the card untouched: " << out_;
  set_policy("helpdesk", "scope=admin&action=enrollonbehalf&realm=corp");
  ASSERT_EQ(enroll("246810", admin_), 0) << out_;
  const auto made = json_of(api_->call("GET", "/token/?type=smartcard", admin_));
  const auto& token = made.at("result").at("value").at("tokens").at(0);
  EXPECT_EQ(token.at("username"), "alice");
  EXPECT_EQ(token.at("rollout_state"), "enrolled");
}

// Under a profile with approval the card's request waits; once an approver lets it issue, the
// card writes the certificate and confirms, and only then is the token enrolled.
TEST_F(SmartcardClient, ACardWhoseRequestAnApproverLetsIssueConfirmsAfterwards) {
  ASSERT_EQ(api_->call("POST", "/caconnector/corp/profile/approved", admin_,
                       "key_types=ec-p256&extended_key_usage=clientAuth,smartcardLogon"
                       "&san_upn=1&san_email=0&approval=1")
                .status,
            200);
  ASSERT_EQ(card("enroll --module " + std::string(kModule) + " --url " + server_->url() +
                     " --cacert " + server_->certificate_path() +
                     " --user alice --realm corp --ca corp --profile approved",
                 "TESSERA_TOKEN=" + alice_ + " CARD_SO_PIN=" + kSoPin + " CARD_PIN=246810"),
            0)
      << out_;
  EXPECT_NE(out_.find("certificate pending"), std::string::npos) << out_;
  const auto at = out_.find("tessera-card enroll --serial ");
  ASSERT_NE(at, std::string::npos) << out_;
  const auto serial = out_.substr(at + 29, out_.find(' ', at + 29) - at - 29);
  EXPECT_EQ(token(serial).at("rollout_state"), "pending");
  const auto resume = [&] {
    return card("enroll --module " + std::string(kModule) + " --url " + server_->url() +
                    " --cacert " + server_->certificate_path() + " --serial " + serial,
                "TESSERA_TOKEN=" + alice_ + " CARD_PIN=246810");
  };
  ASSERT_EQ(resume(), 0) << out_;
  EXPECT_NE(out_.find("still waits for an approver"), std::string::npos) << out_;
  ASSERT_EQ(api_->call("POST", "/token/approve/" + serial, admin_, "reason=badge%20seen").status,
            200);
  EXPECT_EQ(token(serial).at("rollout_state"), "clientwait") << "not before the card confirms";
  ASSERT_EQ(resume(), 0) << out_;
  EXPECT_NE(out_.find("confirmed: token " + serial + " is enrolled"), std::string::npos) << out_;
  EXPECT_EQ(token(serial).at("rollout_state"), "enrolled");
  EXPECT_NE(objects("246810").find("Certificate Object"), std::string::npos) << out_;
}

TEST_F(SmartcardClient, UnblockSetsANewUserPinWithTheSoPin) {
  ASSERT_EQ(enroll("246810"), 0) << out_;
  ASSERT_EQ(card("unblock --module " + std::string(kModule) + " --token-label card1",
                 "CARD_SO_PIN=" + std::string(kSoPin) + " CARD_PIN=135790"),
            0)
      << out_;
  EXPECT_NE(objects("135790").find("Private Key Object"), std::string::npos) << out_;
  EXPECT_EQ(
      card("unblock --module " + std::string(kModule), "CARD_SO_PIN=00000000 CARD_PIN=135790"), 1);
  EXPECT_NE(out_.find("CKR_PIN_INCORRECT"), std::string::npos) << out_;
  ASSERT_EQ(card("status --module " + std::string(kModule) + " --url " + server_->url() +
                     " --cacert " + server_->certificate_path(),
                 "TESSERA_TOKEN=" + alice_),
            0)
      << out_;
  EXPECT_NE(out_.find("enrolled"), std::string::npos) << out_;
}

}  // namespace
}  // namespace tessera::testing
