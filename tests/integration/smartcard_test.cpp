// The smart card token type's server side: the three steps (the code, the card's CSR, the
// card's signature over the challenge), who may enroll for whom, a card that never confirms
// (expired, its certificate in the CRL), a replaced card (its certificate revoked "superseded").
// An openssl key stands in for the card here; tessera-card's tests use SoftHSM2.
#include "tests/integration/token_fixture.hpp"

namespace tessera::testing {
namespace {

class Smartcard : public TokenFixture {
 protected:
  void SetUp() override {
    start({.top_extra = "events: { poll_interval_seconds: 1 }\n"
                        "certificates: { smartcard_confirm_seconds: 4 }\n"});
    ASSERT_EQ(api_->call("POST", "/caconnector/corp", admin_, "type=ca_local").status, 200);
    ASSERT_EQ(api_->call("POST", "/caconnector/corp/profile/card", admin_,
                         "key_types=ec-p256&extended_key_usage=clientAuth,smartcardLogon"
                         "&san_upn=1&san_email=0")
                  .status,
              200);
    alice_ = api_->login("alice", "alice-password", "corp");
  }

  // Step 1 by whoever holds token: the detail.
  boost::json::object begin(const std::string& token, const std::string& params) {
    const auto r = api_->call("POST", "/token/init", token, "type=smartcard&" + params);
    EXPECT_EQ(r.status, 200) << r.body;
    const auto body = json_of(r);
    return body.at("detail").as_object();
  }
  // A key "on the card" (a file here) and its CSR.
  std::string card_request(const std::string& name) {
    return shell_output(
        "openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
        "-keyout " +
        (server_->dir() / (name + ".key")).string() + " -subj /CN=" + name + " 2>/dev/null");
  }
  TestResponse submit(const std::string& token, const std::string& serial, const std::string& code,
                      const std::string& csr) {
    auto client = api_->client();
    client->header("Authorization: " + token);
    return client->post(server_->url() + "/token/init",
                        boost::json::serialize(boost::json::object{
                            {"serial", serial}, {"enrollment_code", code}, {"request", csr}}),
                        "application/json");
  }
  // The card's signature over the challenge, in base64.
  std::string card_signature(const std::string& key, const std::string& challenge) {
    const auto data = save("challenge.txt", challenge);
    return shell_output("openssl dgst -sha256 -sign " + (server_->dir() / (key + ".key")).string() +
                        " " + data.string() + " | base64 -w0");
  }
  TestResponse confirm(const std::string& token, const std::string& serial,
                       const std::string& signature) {
    return api_->call("POST", "/token/init", token,
                      "serial=" + serial + "&card_signature=" + url_encoded(signature));
  }
  static std::string url_encoded(const std::string& text) {
    std::string out;
    for (const char c : text)
      out += c == '+' ? "%2B" : c == '/' ? "%2F" : c == '=' ? "%3D" : std::string(1, c);
    return out;
  }
  std::string crl_text() {
    TestHttpClient anyone;
    const auto crl = save("ca.crl", anyone.get(server_->url() + "/ca/corp/crl").body);
    return shell_output("openssl crl -inform DER -in " + crl.string() + " -noout -text 2>&1");
  }
  // A card through step 2: {serial, challenge, certificate serial}.
  std::tuple<std::string, std::string, std::string> issued(const std::string& token,
                                                           const std::string& params,
                                                           const std::string& key) {
    const auto started = begin(token, params);
    const std::string serial(started.at("serial").as_string());
    const auto r = submit(token, serial, std::string(started.at("enrollment_code").as_string()),
                          card_request(key));
    EXPECT_EQ(r.status, 200) << r.body;
    const auto detail = json_of(r).at("detail");
    return {serial, std::string(detail.at("challenge").as_string()),
            std::string(token_info(serial).at("certificate_serial").as_string())};
  }
  boost::json::object token_info(const std::string& serial) {
    return token(serial).at("info").as_object();
  }
  std::string alice_;
};

TEST_F(Smartcard, ThreeStepsMakeAnEnrolledCardWhoseKeyNeverLeftIt) {
  set_policy("cardpins",
             "scope=enrollment&action=smartcard_pin_min_length=8,"
             "smartcard_pin_contents=n");
  const auto started = begin(alice_, "user=alice&realm=corp");
  const std::string serial(started.at("serial").as_string());
  EXPECT_EQ(started.at("rollout_state"), "clientwait");
  EXPECT_EQ(started.at("key_types"), (boost::json::array{"ec-p256"}));
  EXPECT_EQ(started.at("pin_rules").at("min_length"), 8);
  EXPECT_EQ(started.at("pin_rules").at("contents"), "n");
  EXPECT_EQ(started.at("attestation_required"), false);
  const std::string code(started.at("enrollment_code").as_string());
  EXPECT_GE(code.size(), 20u);
  EXPECT_EQ(boost::json::serialize(token(serial)).find(code), std::string::npos)
      << "only the code's hash is kept";

  // Step 2: a wrong code is refused and uses nothing up; the right one has the CSR issued.
  EXPECT_EQ(submit(alice_, serial, "not-the-code", card_request("card")).status, 403);
  const auto r = submit(alice_, serial, code, card_request("card"));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto detail = json_of(r).at("detail");
  EXPECT_EQ(detail.at("rollout_state"), "clientwait");
  const std::string challenge(detail.at("challenge").as_string());
  const auto pem = save("card.pem", std::string(detail.at("certificate").as_string()));
  const auto text = shell_output("openssl x509 -noout -text -in " + pem.string());
  EXPECT_NE(text.find("Microsoft Smartcard Login"), std::string::npos) << text;
  EXPECT_NE(text.find("TLS Web Client Authentication"), std::string::npos) << text;
  EXPECT_EQ(token(serial).at("rollout_state"), "clientwait") << "not before the card confirms";
  EXPECT_EQ(submit(alice_, serial, code, card_request("again")).status, 400) << "single use";

  // Step 3: only the card's key confirms.
  card_request("stranger");
  EXPECT_EQ(confirm(alice_, serial, card_signature("stranger", challenge)).status, 403);
  const auto confirmed = confirm(alice_, serial, card_signature("card", challenge));
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_EQ(token(serial).at("rollout_state"), "enrolled");
  const auto history = json_of(api_->call("GET", "/token/history/" + serial, admin_));
  EXPECT_NE(boost::json::serialize(history).find("the card proved it holds the key"),
            std::string::npos)
      << history;
}

TEST_F(Smartcard, OnlyTheUserOrAnAdminWhoMayEnrollOnBehalfBeginsACard) {
  const auto bob = api_->login("bob", "bob-password", "corp");
  const auto for_alice = api_->call("POST", "/token/init", bob, "type=smartcard&user=alice");
  EXPECT_EQ(for_alice.status, 403) << for_alice.body;
  set_policy("root", "scope=admin&action=policywrite,tokenlist,enrollSMARTCARD");
  const auto refused =
      api_->call("POST", "/token/init", admin_, "type=smartcard&user=alice&realm=corp");
  EXPECT_EQ(refused.status, 403) << refused.body;
  const auto listed = json_of(api_->call("GET", "/token/?type=smartcard", admin_));
  EXPECT_EQ(listed.at("result").at("value").at("count"), 0) << "nothing was made";
  set_policy("helpdesk", "scope=admin&action=enrollonbehalf&realm=corp");
  const auto [serial, challenge, certificate] = issued(admin_, "user=alice&realm=corp", "helped");
  // The steps belong to whoever began them: alice cannot finish the admin's.
  EXPECT_EQ(confirm(alice_, serial, card_signature("helped", challenge)).status, 403);
  EXPECT_EQ(confirm(admin_, serial, card_signature("helped", challenge)).status, 200);
  EXPECT_EQ(token(serial).at("username"), "alice");
  EXPECT_EQ(token(serial).at("rollout_state"), "enrolled");
  // A CSR with the first step is refused: the key is made on the card.
  EXPECT_EQ(api_->call("POST", "/token/init", alice_, "type=smartcard&genkey=1").status, 400);
  // A profile the policy does not open to her is refused.
  set_policy("elsewhere", "scope=enrollment&action=certificate_profiles=other-ca");
  const auto closed = api_->call("POST", "/token/init", alice_, "type=smartcard");
  EXPECT_EQ(closed.status, 403) << closed.body;
  EXPECT_NE(closed.body.find("not open to you"), std::string::npos) << closed.body;
}

TEST_F(Smartcard, ACardThatNeverConfirmsExpiresAndItsCertificateIsRevoked) {
  const auto [serial, challenge, certificate] = issued(alice_, "", "silent");
  ASSERT_TRUE(eventually([&] { return token(serial).at("rollout_state") == "expired"; }, 30))
      << token(serial);
  ASSERT_TRUE(eventually([&] { return crl_text().find(certificate) != std::string::npos; }, 30))
      << crl_text();
  EXPECT_EQ(confirm(alice_, serial, card_signature("silent", challenge)).status, 400) << "too late";
}

TEST_F(Smartcard, AReplacedCardsCertificateIsRevokedAsSuperseded) {
  const auto [old_serial, old_challenge, old_certificate] = issued(alice_, "", "old");
  ASSERT_EQ(confirm(alice_, old_serial, card_signature("old", old_challenge)).status, 200);
  const auto bob = api_->login("bob", "bob-password", "corp");
  EXPECT_EQ(api_->call("POST", "/token/init", bob, "type=smartcard&replaces=" + old_serial).status,
            400)
      << "not bob's card";
  const auto [serial, challenge, certificate] = issued(alice_, "replaces=" + old_serial, "new");
  EXPECT_FALSE(token(old_serial).at("revoked").as_bool()) << "not before the new card confirms";
  ASSERT_EQ(confirm(alice_, serial, card_signature("new", challenge)).status, 200);
  EXPECT_TRUE(token(old_serial).at("revoked").as_bool());
  const auto crl = crl_text();
  const auto at = crl.find(old_certificate);
  ASSERT_NE(at, std::string::npos) << crl;
  EXPECT_NE(crl.find("Superseded", at), std::string::npos) << crl;
  EXPECT_EQ(crl.find(certificate), std::string::npos) << "the new card's certificate is good";
}

}  // namespace
}  // namespace tessera::testing
