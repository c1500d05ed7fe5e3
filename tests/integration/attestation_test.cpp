// Attestation of a CSR's key (e.g. a YubiKey PIV slot attestation): under the enrollment policy
// certificate_require_attestation the attestation certificate must be for the CSR's key and
// lead to a configured attestation root, over RSA and EC chains.
#include <cstdlib>

#include "tests/integration/outside_pki.hpp"
#include "tests/integration/token_fixture.hpp"

namespace tessera::testing {
namespace {

class Attestation : public TokenFixture {
 protected:
  void SetUp() override {
    char folder[] = "/tmp/tessera-attest-XXXXXX";
    ASSERT_NE(mkdtemp(folder), nullptr);
    pki_dir_ = folder;
    pki_ = std::make_unique<OutsidePki>(pki_dir_);
    pki_->ca("Maker Root RSA", "rsa");
    pki_->ca("Maker Device RSA", "rsa", "Maker Root RSA");
    pki_->ca("Maker Root EC", "ec");
    pki_->ca("Rogue Root", "ec");
    write_file(pki_dir_ / "roots.pem",
               read_file(pki_->cert("Maker Root RSA")) + read_file(pki_->cert("Maker Root EC")));
    start({.top_extra = "certificates:\n  attestation_ca_file: " +
                        (pki_dir_ / "roots.pem").string() + "\n"});
    ASSERT_EQ(api_->call("POST", "/caconnector/corp", admin_, "type=ca_local").status, 200);
    ASSERT_EQ(api_->call("POST", "/caconnector/corp/profile/user", admin_,
                         "key_types=ec-p256,rsa-2048&subject.CN=%7Busername%7D")
                  .status,
              200);
  }
  void TearDown() override { std::filesystem::remove_all(pki_dir_); }

  // A CSR for a new key, as a card makes one, and its attestation signed by issuer (with the
  // intermediates a card sends along).
  std::string csr(const std::string& name, const std::string& key_type = "ec") {
    pki_->leaf(name + "-self", "Rogue Root", "/CN=" + name, key_type);  // makes the key + CSR
    return read_file(pki_->request(name + "-self"));
  }
  std::string attestation(const std::string& name, const std::string& csr_pem,
                          const std::string& issuer, const std::string& intermediates = "") {
    return read_file(pki_->attest(name, csr_pem, issuer)) + intermediates;
  }

  TestResponse enroll(const std::string& request, const std::string& attestation) {
    boost::json::object body{
        {"type", "certificate"}, {"user", "alice"}, {"realm", "corp"}, {"request", request}};
    if (!attestation.empty()) body["attestation"] = attestation;
    auto client = api_->client();
    client->header("Authorization: " + admin_);
    return client->post(server_->url() + "/token/init", boost::json::serialize(body),
                        "application/json");
  }
  void expect_refused(const TestResponse& r, const std::string& reason) {
    EXPECT_EQ(r.status, 400) << reason;
    EXPECT_NE(r.body.find(reason), std::string::npos) << reason << ": " << r.body;
  }

  std::filesystem::path pki_dir_;
  std::unique_ptr<OutsidePki> pki_;
};

TEST_F(Attestation, ARequiredAttestationMustBeForTheKeyAndLeadToATrustedRoot) {
  set_policy("attest", "scope=enrollment&action=certificate_require_attestation=require");
  const auto rsa_card = csr("rsa-card", "rsa");
  const auto ec_card = csr("ec-card");

  expect_refused(enroll(ec_card, ""), "an attestation certificate of the key is required");
  // Signed by the wrong maker, for another key, without the intermediate, or not PEM.
  expect_refused(enroll(ec_card, attestation("rogue", ec_card, "Rogue Root")),
                 "the attestation is not accepted: it is not signed by a trusted CA");
  expect_refused(enroll(ec_card, attestation("other-key", rsa_card, "Maker Root EC")),
                 "the attestation certificate is for another key than the request's");
  expect_refused(enroll(rsa_card, attestation("no-intermediate", rsa_card, "Maker Device RSA")),
                 "it is not signed by a trusted CA");
  expect_refused(enroll(ec_card, "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"),
                 "'attestation' is not a PEM certificate");
  // Nothing else gets around it: a key made by the server, an existing certificate.
  auto client = api_->client();
  client->header("Authorization: " + admin_);
  for (const auto& body :
       {boost::json::object{
            {"type", "certificate"}, {"user", "alice"}, {"realm", "corp"}, {"genkey", "1"}},
        boost::json::object{{"type", "certificate"},
                            {"user", "alice"},
                            {"realm", "corp"},
                            {"certificate", read_file(pki_->cert("Maker Root EC"))}}})
    expect_refused(client->post(server_->url() + "/token/init", boost::json::serialize(body),
                                "application/json"),
                   "policy certificate_require_attestation=require");
  EXPECT_EQ(token_count(), 0) << "nothing stored";

  // An RSA chain through an intermediate, and an EC chain.
  auto rsa = enroll(rsa_card, attestation("rsa-attest", rsa_card, "Maker Device RSA",
                                          read_file(pki_->cert("Maker Device RSA"))));
  ASSERT_EQ(rsa.status, 200) << rsa.body;
  auto ec = enroll(ec_card, attestation("ec-attest", ec_card, "Maker Root EC"));
  ASSERT_EQ(ec.status, 200) << ec.body;
  const auto tokens = json_of(api_->call("GET", "/token/", admin_)).at("result").at("value");
  ASSERT_EQ(tokens.at("count"), 2);
  for (const auto& token : tokens.at("tokens").as_array()) {
    EXPECT_EQ(token.at("rollout_state"), "enrolled");
    EXPECT_EQ(token.at("info").at("attestation"), "verified");
  }
}

TEST_F(Attestation, VerifyChecksOnlyWhatIsGivenAndIgnoreLooksAway) {
  auto bad = api_->call("POST", "/policy/attest", admin_,
                        "scope=enrollment&action=certificate_require_attestation=maybe");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("takes ignore, verify or require"), std::string::npos) << bad.body;

  const auto card = csr("card");
  const auto other = csr("other");
  const auto wrong = attestation("wrong", other, "Maker Root EC");
  set_policy("attest", "scope=enrollment&action=certificate_require_attestation=verify");
  expect_refused(enroll(card, wrong), "for another key");
  EXPECT_EQ(enroll(card, "").status, 200) << "verify: none given is fine";

  set_policy("attest", "scope=enrollment&action=certificate_require_attestation=ignore");
  EXPECT_EQ(enroll(card, wrong).status, 200) << "ignore: not looked at";
}

}  // namespace
}  // namespace tessera::testing
