// Certificate tokens from a CSR, over the API, checked with openssl: issued by the CA under the
// profile with the user's attributes, revoked into the CRL, left pending when the profile wants
// approval, and bad requests refused with nothing stored.
#include <cctype>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "server/crypto/encoding.hpp"
#include "tests/integration/token_fixture.hpp"

namespace tessera::testing {
namespace {

class CertificateToken : public TokenFixture {
 protected:
  virtual ServerOptions options() const {
    return {.server_extra = "  public_url: https://tessera.example/\n"};
  }

  void SetUp() override {
    start(options());
    ASSERT_EQ(api_->call("PUT", "/user/", admin_,
                         "user=alice&resolver=local&givenname=Alice&surname=Example&email=alice%"
                         "40corp.example&organization=Corp")
                  .status,
              200);
    ASSERT_EQ(api_->call("POST", "/caconnector/corp", admin_, "type=ca_local").status, 200);
    ASSERT_EQ(api_->call("POST", "/caconnector/corp/profile/user", admin_,
                         "validity_days=365,730&key_types=ec-p256&extended_key_usage=clientAuth,"
                         "emailProtection&subject.CN=%7Bgivenname%7D%20%7Bsurname%7D&subject.O=%"
                         "7Borganization%7D")
                  .status,
              200);
  }

  std::string csr(const std::string& key_options = "-newkey ec -pkeyopt ec_paramgen_curve:P-256") {
    const auto dir = server_->dir();
    EXPECT_EQ(std::system(("openssl req -new -nodes " + key_options + " -keyout " +
                           (dir / "user.key").string() + " -out " + (dir / "user.csr").string() +
                           " -subj /CN=Mallory 2>/dev/null")
                              .c_str()),
              0);
    return read_file(dir / "user.csr");
  }

  TestResponse enroll_json(const boost::json::object& body) {
    auto client = api_->client();
    client->header("Authorization: " + admin_);
    return client->post(server_->url() + "/token/init", boost::json::serialize(body),
                        "application/json");
  }
};

TEST_F(CertificateToken, ACsrIsIssuedUnderTheProfileAndRevokedIntoTheCrl) {
  auto r = enroll_json({{"type", "certificate"},
                        {"user", "alice"},
                        {"realm", "corp"},
                        {"ca", "corp"},
                        {"profile", "user"},
                        {"validity_days", "730"},
                        {"request", csr()}});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto detail = json_of(r).at("detail").as_object();
  EXPECT_EQ(detail.at("rollout_state"), "enrolled");
  const std::string serial(detail.at("serial").as_string());
  TestHttpClient anyone;
  const auto ca_file = save("ca.pem", anyone.get(server_->url() + "/ca/corp/cert").body);
  const auto cert_file = save("alice.pem", std::string(detail.at("certificate").as_string()));
  EXPECT_EQ(shell_output("openssl verify -CAfile " + ca_file.string() + " " + cert_file.string()),
            cert_file.string() + ": OK");
  const auto text = shell_output("openssl x509 -noout -text -in " + cert_file.string());
  EXPECT_NE(text.find("Subject: CN = Alice Example, O = Corp"), std::string::npos) << text;
  EXPECT_NE(text.find("email:alice@corp.example"), std::string::npos);
  EXPECT_EQ(text.find("Mallory"), std::string::npos);
  EXPECT_NE(text.find("URI:https://tessera.example/ca/corp/crl"), std::string::npos)
      << "the CRL distribution point, from server.public_url";
  const auto days = shell_output("openssl x509 -noout -checkend " + std::to_string(729 * 86400) +
                                 " -in " + cert_file.string());
  EXPECT_EQ(days, "Certificate will not expire") << "the 730-day term the user picked";

  const auto listed = json_of(api_->call("GET", "/token/?type=certificate", admin_));
  const auto& token = listed.at("result").at("value").at("tokens").at(0).as_object();
  EXPECT_EQ(token.at("rollout_state"), "enrolled");
  EXPECT_EQ(token.at("info").at("ca"), "corp");
  const std::string cert_serial(token.at("info").at("certificate_serial").as_string());
  EXPECT_FALSE(api_->check("user=alice&realm=corp&pass=123456").value)
      << "a certificate is not an OTP";

  auto revoked = api_->call("POST", "/token/revoke/" + serial, admin_, "reason=keyCompromise");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  const auto crl_file = save("ca.crl", anyone.get(server_->url() + "/ca/corp/crl").body);
  const auto crl = shell_output("openssl crl -inform DER -in " + crl_file.string() + " -CAfile " +
                                ca_file.string() + " -noout -text 2>&1");
  EXPECT_NE(crl.find("verify OK"), std::string::npos) << crl;
  EXPECT_NE(crl.find("Serial Number: " + cert_serial), std::string::npos) << crl;
  EXPECT_NE(crl.find("Key Compromise"), std::string::npos);
  EXPECT_EQ(api_->call("POST", "/token/revoke/" + serial, admin_, "reason=bored").status, 400);
}

// A burst of revocations costs one signature: the CRL is signed anew when it is next asked
// for, listing every one of them, and not again while nothing changes.
TEST_F(CertificateToken, RevocationsAreSignedIntoTheNextCrlOnce) {
  TestHttpClient anyone;
  struct Crl {
    long number = 0;
    std::string text;
  };
  const auto fetch = [&](const std::string& name) {
    const auto file = save(name, anyone.get(server_->url() + "/ca/corp/crl").body).string();
    const auto number = shell_output("openssl crl -inform DER -noout -crlnumber -in " + file);
    return Crl{std::stol(number.substr(number.find('=') + 1), nullptr, 16),
               shell_output("openssl crl -inform DER -noout -text -in " + file)};
  };
  const auto before = fetch("before.crl");
  std::vector<std::string> certificate_serials;
  for (int i = 0; i < 3; ++i) {
    auto r = enroll_json({{"type", "certificate"},
                          {"user", "alice"},
                          {"realm", "corp"},
                          {"ca", "corp"},
                          {"profile", "user"},
                          {"request", csr()}});
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string serial(json_of(r).at("detail").at("serial").as_string());
    const auto token = json_of(api_->call("GET", "/token/?serial=" + serial, admin_));
    certificate_serials.emplace_back(token.at("result")
                                         .at("value")
                                         .at("tokens")
                                         .at(0)
                                         .at("info")
                                         .at("certificate_serial")
                                         .as_string());
    ASSERT_EQ(api_->call("POST", "/token/revoke/" + serial, admin_, "reason=superseded").status,
              200);
  }
  const auto after = fetch("after.crl");
  for (const auto& serial : certificate_serials)
    EXPECT_NE(after.text.find("Serial Number: " + serial), std::string::npos) << after.text;
  EXPECT_EQ(after.number, before.number + 1) << "the three revocations did not sign a CRL each";
  EXPECT_EQ(fetch("again.crl").number, after.number) << "nothing new: the same CRL";
}

// A user who may edit her own e-mail cannot have a CA vouch for someone else's address: the
// profile takes only addresses in the realm's domains (enrollment policy email_domains).
TEST_F(CertificateToken, AProfileTakesOnlyEmailAddressesInTheRealmsDomains) {
  ASSERT_EQ(api_->call("POST", "/caconnector/corp/profile/mail", admin_,
                       "key_types=ec-p256&subject.CN=%7Busername%7D&san_email=1&"
                       "email_in_realm_domains=1")
                .status,
            200);
  ASSERT_EQ(api_->call("POST", "/policy/self-service", admin_,
                       "scope=user&action=editable_attributes%3Demail,updateuser,enrollCERTIFICATE&"
                       "realm=corp")
                .status,
            200);
  const auto alice = api_->login("alice", "alice-password");
  ASSERT_EQ(api_->call("PUT", "/user/", alice, "email=ceo%40other.example").status, 200);
  auto as_alice = [&] {
    auto client = api_->client();
    client->header("Authorization: " + alice);
    return client->post(
        server_->url() + "/token/init",
        boost::json::serialize(boost::json::object{
            {"type", "certificate"}, {"ca", "corp"}, {"profile", "mail"}, {"request", csr()}}),
        "application/json");
  };
  auto refused = as_alice();
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("the realm names none"), std::string::npos) << refused.body;
  ASSERT_EQ(
      api_->call("POST", "/policy/mail-domains", admin_,
                 "scope=enrollment&action=email_domains%3Dcorp.example%20a.example&realm=corp")
          .status,
      200);
  refused = as_alice();
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("not ceo@other.example"), std::string::npos) << refused.body;
  EXPECT_EQ(json_of(api_->call("GET", "/token/?user=alice&realm=corp", admin_))
                .at("result")
                .at("value")
                .at("count"),
            0)
      << "nothing stored";
  ASSERT_EQ(api_->call("PUT", "/user/", alice, "email=alice%40A.example").status, 200);
  const auto issued = as_alice();
  ASSERT_EQ(issued.status, 200) << issued.body;
  const auto cert =
      save("mail.pem", std::string(json_of(issued).at("detail").at("certificate").as_string()));
  EXPECT_NE(
      shell_output("openssl x509 -noout -text -in " + cert.string()).find("email:alice@A.example"),
      std::string::npos);
}

TEST_F(CertificateToken, AProfileWithApprovalWaitsForAnAdminWhoApprovesOrDenies) {
  ASSERT_EQ(api_->call("POST", "/caconnector/corp/profile/approved", admin_,
                       "key_types=ec-p256&approval=1")
                .status,
            200);
  auto r = enroll_json({{"type", "certificate"},
                        {"user", "alice"},
                        {"realm", "corp"},
                        {"profile", "approved"},
                        {"request", csr()}});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto detail = json_of(r).at("detail").as_object();
  EXPECT_EQ(detail.at("rollout_state"), "pending");
  EXPECT_FALSE(detail.contains("certificate"));
  EXPECT_EQ(json_of(api_->call("GET", "/token/?rollout_state=pending", admin_))
                .at("result")
                .at("value")
                .at("count"),
            1);
  const std::string serial(detail.at("serial").as_string());

  // Only admins decide; a denial needs a reason.
  const auto alice = api_->login("alice", "alice-password", "corp");
  EXPECT_EQ(api_->call("POST", "/token/approve/" + serial, alice).status, 403);
  EXPECT_EQ(api_->call("POST", "/token/deny/" + serial, admin_).status, 400);
  auto approved = api_->call("POST", "/token/approve/" + serial, admin_, "reason=checked%20ID");
  ASSERT_EQ(approved.status, 200) << approved.body;
  TestHttpClient anyone;
  const auto ca_file = save("ca.pem", anyone.get(server_->url() + "/ca/corp/cert").body);
  const auto cert_file = save(
      "approved.pem", std::string(json_of(approved).at("detail").at("certificate").as_string()));
  EXPECT_EQ(shell_output("openssl verify -CAfile " + ca_file.string() + " " + cert_file.string()),
            cert_file.string() + ": OK");
  const auto token = json_of(api_->call("GET", "/token/?serial=" + serial, admin_))
                         .at("result")
                         .at("value")
                         .at("tokens")
                         .at(0)
                         .as_object();
  EXPECT_EQ(token.at("rollout_state"), "enrolled");
  EXPECT_EQ(token.at("info").at("decided_by"), "admin");
  EXPECT_FALSE(token.at("info").as_object().contains("certificate_request"));
  EXPECT_EQ(api_->call("POST", "/token/approve/" + serial, admin_).status, 400) << "decided";

  // A second request, denied with a reason.
  auto second = enroll_json({{"type", "certificate"},
                             {"user", "alice"},
                             {"realm", "corp"},
                             {"profile", "approved"},
                             {"request", csr()}});
  const std::string denied_serial(json_of(second).at("detail").at("serial").as_string());
  ASSERT_EQ(
      api_->call("POST", "/token/deny/" + denied_serial, admin_, "reason=not%20employed").status,
      200);
  const auto denied = json_of(api_->call("GET", "/token/?serial=" + denied_serial, admin_))
                          .at("result")
                          .at("value")
                          .at("tokens")
                          .at(0)
                          .as_object();
  EXPECT_EQ(denied.at("rollout_state"), "denied");
  EXPECT_EQ(denied.at("info").at("denial_reason"), "not employed");
  EXPECT_EQ(api_->call("POST", "/token/approve/" + denied_serial, admin_).status, 400);
}

// A device's names from the enrolling admin, written by the local CA and kept through an
// approval: its DNS name, IP address and serial (an RFC 4043 PermanentIdentifier otherName).
TEST_F(CertificateToken, ADevicesNamesAreWrittenByTheLocalCaAlsoAfterAnApproval) {
  ASSERT_EQ(api_->call("POST", "/caconnector/corp/profile/device", admin_,
                       "key_types=ec-p256&subject.CN=%7Busername%7D.devices.example&san_email=0&"
                       "san_dns=%7Busername%7D.devices.example&san_ip=1&san_permanent_identifier=1&"
                       "approval=1")
                .status,
            200);
  auto r = enroll_json({{"type", "certificate"},
                        {"user", "alice"},
                        {"realm", "corp"},
                        {"profile", "device"},
                        {"ip", "198.51.100.4"},
                        {"device_serial", "SN-77"},
                        {"request", csr()}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string serial(json_of(r).at("detail").at("serial").as_string());
  const auto approved = api_->call("POST", "/token/approve/" + serial, admin_);
  ASSERT_EQ(approved.status, 200) << approved.body;
  const auto file =
      save("device.pem", std::string(json_of(approved).at("detail").at("certificate").as_string()));
  const auto text = shell_output("openssl x509 -noout -ext subjectAltName -in " + file.string());
  EXPECT_NE(text.find("DNS:alice.devices.example"), std::string::npos) << text;
  EXPECT_NE(text.find("IP Address:198.51.100.4"), std::string::npos) << text;
  EXPECT_NE(text.find("othername: Permanent Identifier"), std::string::npos) << text;
  EXPECT_NE(shell_output("openssl x509 -outform DER -in " + file.string() + " | grep -c SN-77"),
            "0\n");
}

TEST_F(CertificateToken, AServerMadeKeyComesOnceAsAPkcs12UnderTheUsersPassword) {
  auto r = enroll_json({{"type", "certificate"},
                        {"user", "alice"},
                        {"realm", "corp"},
                        {"genkey", "1"},
                        {"password", "correct horse battery"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto detail = json_of(r).at("detail").as_object();
  EXPECT_FALSE(detail.contains("pkcs12_password")) << "the user chose it";
  const auto der = crypto::base64_decode(std::string(detail.at("pkcs12").as_string()));
  ASSERT_TRUE(der);
  const auto p12 = save("alice.p12", std::string(der->begin(), der->end()));
  const auto opened = shell_output("openssl pkcs12 -in " + p12.string() +
                                   " -passin 'pass:correct horse battery' -nodes 2>&1");
  EXPECT_NE(opened.find("BEGIN PRIVATE KEY"), std::string::npos) << opened;
  EXPECT_NE(opened.find("subject=CN = Alice Example, O = Corp"), std::string::npos) << opened;
  const auto info = shell_output("openssl pkcs12 -in " + p12.string() +
                                 " -passin 'pass:correct horse battery' -info -noout 2>&1");
  EXPECT_NE(info.find("PBES2, PBKDF2, AES-256-CBC"), std::string::npos) << info;
  EXPECT_NE(info.find("MAC: sha256"), std::string::npos) << info;
  EXPECT_NE(shell_output("openssl pkcs12 -in " + p12.string() +
                         " -passin pass:wrong-password -nodes 2>&1")
                .find("Mac verify error"),
            std::string::npos);
  // The key was the profile's first type, and it is nowhere on the server.
  EXPECT_NE(opened.find("BEGIN PRIVATE KEY"), std::string::npos);
  const auto key_start = opened.find("-----BEGIN PRIVATE KEY-----");
  const auto key_pem =
      opened.substr(key_start, opened.find("-----END PRIVATE KEY-----") - key_start);
  const auto body = key_pem.substr(28, 40);
  std::stringstream all;
  all << std::ifstream(server_->dir() / "data" / "tessera.db", std::ios::binary).rdbuf()
      << std::ifstream(server_->dir() / "data" / "tessera.db-wal", std::ios::binary).rdbuf();
  EXPECT_EQ(all.str().find(body), std::string::npos);
  EXPECT_EQ(api_->call("GET", "/token/?type=certificate", admin_).body.find(body),
            std::string::npos);

  // Without a password, a random one is shown once.
  auto second =
      enroll_json({{"type", "certificate"}, {"user", "alice"}, {"realm", "corp"}, {"genkey", "1"}});
  ASSERT_EQ(second.status, 200) << second.body;
  const auto generated = json_of(second).at("detail").as_object();
  const std::string password(generated.at("pkcs12_password").as_string());
  EXPECT_GE(password.size(), 20u);
  const auto der2 = crypto::base64_decode(std::string(generated.at("pkcs12").as_string()));
  const auto p12b = save("second.p12", std::string(der2->begin(), der2->end()));
  EXPECT_NE(shell_output("openssl pkcs12 -in " + p12b.string() + " -passin pass:" + password +
                         " -nokeys 2>&1")
                .find("BEGIN CERTIFICATE"),
            std::string::npos);
  EXPECT_EQ(enroll_json({{"type", "certificate"},
                         {"user", "alice"},
                         {"realm", "corp"},
                         {"genkey", "1"},
                         {"password", "short"}})
                .status,
            400);
}

TEST_F(CertificateToken, BadRequestsAreRefusedAndNothingIsStored) {
  // A CSR whose signature was altered: its requester did not prove to hold the key.
  std::string body_b64;
  {
    std::istringstream lines(csr());
    for (std::string line; std::getline(lines, line);)
      if (line.rfind("-----", 0) != 0) body_b64 += line;
  }
  auto der = crypto::base64_decode(body_b64);
  ASSERT_TRUE(der);
  (*der)[der->size() - 5] ^= 0x01;  // inside the signature
  std::string tampered = "-----BEGIN CERTIFICATE REQUEST-----\n";
  const auto encoded = crypto::base64_encode(der->data(), der->size());
  for (size_t at = 0; at < encoded.size(); at += 64) tampered += encoded.substr(at, 64) + "\n";
  tampered += "-----END CERTIFICATE REQUEST-----\n";
  const std::pair<boost::json::object, std::string> cases[] = {
      {{{"type", "certificate"}, {"user", "alice"}, {"realm", "corp"}, {"request", "garbage"}},
       "is not a PEM certificate signing request"},
      {{{"type", "certificate"}, {"user", "alice"}, {"realm", "corp"}, {"request", tampered}},
       "the request's signature does not verify"},
      {{{"type", "certificate"},
        {"user", "alice"},
        {"realm", "corp"},
        {"request", csr("-newkey rsa:2048")}},
       "rsa-2048) is not allowed"},
      {{{"type", "certificate"},
        {"user", "alice"},
        {"realm", "corp"},
        {"ca", "nope"},
        {"request", csr()}},
       "no CA connector 'nope'"},
      {{{"type", "certificate"},
        {"user", "alice"},
        {"realm", "corp"},
        {"profile", "nope"},
        {"request", csr()}},
       "has no profile 'nope'"},
      {{{"type", "certificate"},
        {"user", "alice"},
        {"realm", "corp"},
        {"validity_days", "100"},
        {"request", csr()}},
       "does not offer 100 days"},
      {{{"type", "certificate"}, {"request", csr()}}, "needs a user"},
      {{{"type", "certificate"}, {"user", "alice"}, {"realm", "corp"}}, "give one of 'request'"},
      {{{"type", "certificate"},
        {"user", "alice"},
        {"realm", "corp"},
        {"certificate",
         read_file(save("ca.pem", TestHttpClient().get(server_->url() + "/ca/corp/cert").body))}},
       "the server trusts no CA for them (certificates.trusted_ca_file)"},
  };
  for (const auto& [body, reason] : cases) {
    auto r = enroll_json(body);
    EXPECT_EQ(r.status, 400) << boost::json::serialize(body);
    EXPECT_NE(r.body.find(reason), std::string::npos) << reason << ": " << r.body;
  }
  EXPECT_EQ(json_of(api_->call("GET", "/token/", admin_)).at("result").at("value").at("count"), 0);
}

TEST_F(CertificateToken, ACaThatCannotIssueLeavesTheRequestFailedForARetry) {
  ASSERT_EQ(api_->call("POST", "/caconnector/corp/profile/approved", admin_,
                       "key_types=ec-p256&approval=1")
                .status,
            200);
  auto r = enroll_json({{"type", "certificate"},
                        {"user", "alice"},
                        {"realm", "corp"},
                        {"ca", "corp"},
                        {"profile", "approved"},
                        {"request", csr()}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string serial(json_of(r).at("detail").at("serial").as_string());

  // The CA connector is gone when the admin approves: the request waits in "failed".
  ASSERT_EQ(api_->call("DELETE", "/caconnector/corp", admin_).status, 200);
  auto failed = api_->call("POST", "/token/approve/" + serial, admin_);
  EXPECT_EQ(failed.status, 502) << failed.body;
  EXPECT_NE(failed.body.find("is 'failed'; approve it again to retry"), std::string::npos)
      << failed.body;
  EXPECT_EQ(token(serial).at("rollout_state"), "failed");
  EXPECT_NE(std::string(token(serial).at("info").at("failure").as_string()).find("no CA connector"),
            std::string::npos);
  EXPECT_TRUE(token(serial).at("info").as_object().contains("certificate_request")) << "kept";
  EXPECT_EQ(json_of(api_->call("GET", "/token/?rollout_state=pending,review,failed", admin_))
                .at("result")
                .at("value")
                .at("count"),
            1);

  // Back again (the same CA, from its store; its profiles went with it): the retry issues.
  ASSERT_EQ(api_->call("POST", "/caconnector/corp", admin_, "type=ca_local").status, 200);
  ASSERT_EQ(api_->call("POST", "/caconnector/corp/profile/approved", admin_,
                       "key_types=ec-p256&approval=1")
                .status,
            200);
  auto retried = api_->call("POST", "/token/approve/" + serial, admin_);
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(token(serial).at("rollout_state"), "enrolled");
  EXPECT_FALSE(token(serial).at("info").as_object().contains("failure"));
  TestHttpClient anyone;
  const auto ca_file = save("ca.pem", anyone.get(server_->url() + "/ca/corp/cert").body);
  const auto cert_file =
      save("retried.pem", std::string(json_of(retried).at("detail").at("certificate").as_string()));
  EXPECT_EQ(shell_output("openssl verify -CAfile " + ca_file.string() + " " + cert_file.string()),
            cert_file.string() + ": OK");

  const auto history = json_of(api_->call("GET", "/token/history/" + serial, admin_));
  std::string path;
  for (const auto& t : history.at("result").at("value").at("transitions").as_array())
    path += std::string(t.at("to").as_string()) + " ";
  EXPECT_EQ(path, "pending failed enrolled ");
}

// CRLs are signed anew before they expire by a background job, without anyone asking.
class ShortLivedCrl : public CertificateToken {
 protected:
  ServerOptions options() const override {
    return {.top_extra =
                "certificates:\n  crl_validity_seconds: 4\n  crl_renew_before_seconds: 2\n"};
  }
  long crl_number() {
    const auto file = save("now.crl", TestHttpClient().get(server_->url() + "/ca/corp/crl").body);
    const auto out = shell_output("openssl crl -inform DER -noout -crlnumber -in " + file.string());
    return std::stol(out.substr(out.find('=') + 1), nullptr, 16);
  }
};

TEST_F(ShortLivedCrl, ABackgroundJobSignsTheCrlAnewBeforeItExpires) {
  const long first = crl_number();
  std::this_thread::sleep_for(std::chrono::milliseconds(6500));
  // Asking would renew it once at most; the job renewed it about every two seconds.
  EXPECT_GE(crl_number(), first + 2);
}

// Certificate login on a TLS listener that asks for client certificates.
class CertificateLogin : public CertificateToken {
 protected:
  ServerOptions options() const override {
    return {.tls = true, .server_extra = "  tls: { client_certificates: request }\n"};
  }
  std::string audit_info() {
    auto r = api_->call("GET", "/audit/?action=POST%20/validate/check&page_size=1", admin_);
    return std::string(
        json_of(r).at("result").at("value").at("auditdata").at(0).at("info").as_string());
  }
  Check login_with(const std::filesystem::path& certificate, const std::filesystem::path& key,
                   const std::string& params = "") {
    auto client = api_->client();
    client->client_certificate(certificate.string(), key.string());
    auto r = client->post(server_->url() + "/validate/check", params, kForm);
    Check c;
    c.status = r.status;
    const auto body = json_of(r);
    if (r.status != 200) return c;
    c.value = body.at("result").at("value").as_bool();
    c.authentication = std::string(body.at("result").at("authentication").as_string());
    c.message = std::string(body.at("detail").at("message").as_string());
    if (c.value) c.transaction_id = std::string(body.at("detail").at("serial").as_string());
    return c;
  }
};

TEST_F(CertificateLogin, AnEnrolledCertificateAuthenticatesAndNothingElseDoes) {
  auto r = enroll_json(
      {{"type", "certificate"}, {"user", "alice"}, {"realm", "corp"}, {"request", csr()}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string serial(json_of(r).at("detail").at("serial").as_string());
  const auto cert =
      save("alice.pem", std::string(json_of(r).at("detail").at("certificate").as_string()));
  const auto key = server_->dir() / "user.key";

  auto ok = login_with(cert, key);
  EXPECT_TRUE(ok.value) << ok.message;
  EXPECT_EQ(ok.authentication, "ACCEPT");
  EXPECT_EQ(ok.transaction_id, serial) << "the answer names the token that matched";
  EXPECT_TRUE(login_with(cert, key, "user=alice").value);
  EXPECT_TRUE(login_with(cert, key, "user=alice&realm=corp").value);
  EXPECT_FALSE(login_with(cert, key, "user=bob").value);
  EXPECT_NE(audit_info().find("belongs to alice@corp, not bob@"), std::string::npos);
  // Another realm's alice is another user: the certificate must be hers in user and realm.
  ASSERT_EQ(api_->call("POST", "/resolver/other", admin_, "type=sql").status, 200);
  ASSERT_EQ(api_->call("POST", "/realm/realmb", admin_, "resolvers=other").status, 200);
  ASSERT_EQ(
      api_->call("POST", "/user/", admin_, "user=alice&resolver=other&password=x-password").status,
      200);
  EXPECT_FALSE(login_with(cert, key, "user=alice&realm=realmb").value);
  EXPECT_NE(audit_info().find("belongs to alice@corp, not alice@realmb"), std::string::npos)
      << audit_info();
  EXPECT_FALSE(login_with(cert, key, "realm=realmb").value);

  // A certificate we did not issue, with the same subject.
  ASSERT_EQ(std::system(("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                         "-days 5 -subj '/CN=Alice Example/O=Corp' -keyout " +
                         (server_->dir() / "other.key").string() + " -out " +
                         (server_->dir() / "other.pem").string() + " 2>/dev/null")
                            .c_str()),
            0);
  auto foreign = login_with(server_->dir() / "other.pem", server_->dir() / "other.key");
  EXPECT_FALSE(foreign.value);
  EXPECT_EQ(foreign.message, "certificate not accepted");
  EXPECT_NE(audit_info().find("is not signed by a trusted CA"), std::string::npos) << audit_info();

  // /auth too: a JWT for the owner, which then sees their token.
  {
    auto client = api_->client();
    client->client_certificate(cert.string(), key.string());
    auto r = client->post(server_->url() + "/auth", "", kForm);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto value = json_of(r).at("result").at("value").as_object();
    EXPECT_EQ(value.at("username"), "alice");
    EXPECT_EQ(value.at("role"), "user");
    EXPECT_EQ(std::string(value.at("serial").as_string()), serial);
    const auto mine =
        json_of(api_->call("GET", "/token/", std::string(value.at("token").as_string())));
    EXPECT_EQ(mine.at("result").at("value").at("count"), 1);
    auto foreign_client = api_->client();
    foreign_client->client_certificate((server_->dir() / "other.pem").string(),
                                       (server_->dir() / "other.key").string());
    EXPECT_EQ(foreign_client->post(server_->url() + "/auth", "", kForm).status, 401);
  }

  ASSERT_EQ(api_->call("POST", "/token/disable/" + serial, admin_).status, 200);
  EXPECT_FALSE(login_with(cert, key).value);
  EXPECT_NE(audit_info().find("is disabled"), std::string::npos) << audit_info();
  ASSERT_EQ(api_->call("POST", "/token/revoke/" + serial, admin_).status, 200);
  EXPECT_FALSE(login_with(cert, key).value);
  EXPECT_NE(audit_info().find("is revoked"), std::string::npos) << audit_info();

  // No certificate and no pass: an ordinary check, which needs a user.
  EXPECT_EQ(api_->client()->post(server_->url() + "/validate/check", "", kForm).status, 400);
}

// Behind a TLS-terminating proxy the certificate arrives in a header, believed only from the
// configured proxies.
std::string escaped(const std::string& text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : text) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += hex[ch >> 4];
      out += hex[ch & 15];
    }
  }
  return out;
}

class ProxiedCertificateLogin : public CertificateToken {
 protected:
  ServerOptions options() const override {
    return {.server_extra = "  client_certificate_header: X-SSL-Client-Cert\n  trusted_proxies: [" +
                            proxy() + "]\n"};
  }
  virtual std::string proxy() const { return "127.0.0.1"; }

  TestResponse check_with_header(const std::string& pem) {
    auto client = api_->client();
    client->header("X-SSL-Client-Cert: " + escaped(pem));
    return client->post(server_->url() + "/validate/check", "", kForm);
  }
  std::string enrolled_pem() {
    auto r = enroll_json(
        {{"type", "certificate"}, {"user", "alice"}, {"realm", "corp"}, {"request", csr()}});
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(json_of(r).at("detail").at("certificate").as_string());
  }
};

TEST_F(ProxiedCertificateLogin, TheProxysHeaderCarriesTheCertificate) {
  auto r = check_with_header(enrolled_pem());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r).at("result").at("authentication"), "ACCEPT");
}

class UntrustedProxy : public ProxiedCertificateLogin {
 protected:
  std::string proxy() const override { return "10.9.9.9"; }
};

TEST_F(UntrustedProxy, AHeaderFromAnyoneElseIsIgnored) {
  auto r = check_with_header(enrolled_pem());
  EXPECT_EQ(r.status, 400) << "no certificate, so an ordinary check without a user: " << r.body;
}

}  // namespace
}  // namespace tessera::testing
