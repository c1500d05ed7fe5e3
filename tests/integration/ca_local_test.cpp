// The local CA plugin through the host, with openssl as the independent checker: issued
// certificates verify against the CA and carry what the profile says (never the CSR's
// subject), CSRs outside the profile are refused, the CRL verifies and lists revocations, and
// the CA key is sealed in the store.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "server/crypto/encoding.hpp"
#include "tests/integration/token_fixture.hpp"
#include "tests/support/host_fixture.hpp"

namespace tessera::testing {
namespace {

class LocalCa : public HostFixture {
 protected:
  void SetUp() override {
    HostFixture::SetUp();
    registry_ = plugins::PluginRegistry::load({TESSERA_PLUGIN_DIR}, services_);
    ca_ = registry_.create_instance(TESSERA_COMPONENT_CA_CONNECTOR, "ca_local", "corp-ca", {});
    write_file(
        dir_ / "ca.pem",
        std::string(
            ca_->call(plugins::Operation::ca_certificate, {}).at("certificate").as_string()));
  }

  // A CSR made by openssl with the given key options and a subject of its own choosing.
  std::string csr(const std::string& key_options) {
    const auto command = "openssl req -new -nodes " + key_options + " -keyout " +
                         (dir_ / "user.key").string() + " -out " + (dir_ / "user.csr").string() +
                         " -subj '/CN=Evil Admin/O=Not Corp' 2>/dev/null";
    EXPECT_EQ(std::system(command.c_str()), 0);
    return read_file(dir_ / "user.csr");
  }

  boost::json::object request(const std::string& csr_pem) {
    return {{"csr", csr_pem},
            {"profile",
             {{"validity_days", 365},
              {"key_types", {"ec-p256", "rsa-3072"}},
              {"key_usage", {"digitalSignature", "keyEncipherment"}},
              {"extended_key_usage", {"clientAuth", "emailProtection", "smartcardLogon"}},
              {"crl_url", "https://tessera.example/ca/corp-ca/crl"}}},
            {"subject", {{"CN", "Alice Example"}, {"O", "Corp"}}},
            {"san", {{"email", {"alice@corp.example"}}, {"upn", {"alice@corp"}}}}};
  }

  plugins::PluginRegistry registry_;
  std::shared_ptr<plugins::ComponentInstance> ca_;
};

TEST_F(LocalCa, IssuesWhatTheProfileSaysAndOpensslVerifiesIt) {
  auto issued = ca_->call(plugins::Operation::sign_request,
                          request(csr("-newkey ec -pkeyopt ec_paramgen_curve:P-256")));
  EXPECT_EQ(issued.at("state"), "issued");
  write_file(dir_ / "user.pem", std::string(issued.at("certificate").as_string()));
  EXPECT_EQ(shell_output("openssl verify -CAfile " + (dir_ / "ca.pem").string() + " " +
                         (dir_ / "user.pem").string()),
            (dir_ / "user.pem").string() + ": OK");
  const auto text = shell_output("openssl x509 -noout -text -in " + (dir_ / "user.pem").string());
  EXPECT_NE(text.find("Subject: CN = Alice Example, O = Corp"), std::string::npos) << text;
  EXPECT_EQ(text.find("Evil"), std::string::npos) << "the CSR's subject is not trusted";
  EXPECT_NE(
      text.find("TLS Web Client Authentication, E-mail Protection, Microsoft Smartcard Login"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("email:alice@corp.example"), std::string::npos);
  EXPECT_NE(text.find("UPN"), std::string::npos);
  EXPECT_NE(text.find("URI:https://tessera.example/ca/corp-ca/crl"), std::string::npos);
  EXPECT_NE(text.find("CA:FALSE"), std::string::npos);
  // 16 random bytes, positive: 32 hex digits, the first one 4 to 7.
  const std::string serial(issued.at("serial").as_string());
  EXPECT_EQ(shell_output("openssl x509 -noout -serial -in " + (dir_ / "user.pem").string()),
            "serial=" + serial);
  ASSERT_EQ(serial.size(), 32u);
  EXPECT_TRUE(serial[0] >= '4' && serial[0] <= '7') << serial;
  EXPECT_NE(
      std::string(ca_->call(plugins::Operation::sign_request, request(read_file(dir_ / "user.csr")))
                      .at("serial")
                      .as_string()),
      serial)
      << "every certificate gets its own serial";
}

TEST_F(LocalCa, RefusesKeysOutsideTheProfileAndForgedRequests) {
  try {
    ca_->call(plugins::Operation::sign_request, request(csr("-newkey rsa:2048")));
    FAIL() << "an RSA-2048 key is not in the profile";
  } catch (const plugins::PluginCallError& e) {
    EXPECT_EQ(e.status(), TESSERA_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(e.what()).find("rsa-2048) is not allowed"), std::string::npos)
        << e.what();
  }
  // The CSR of one key with the public key of another: the signature does not verify.
  const auto good = csr("-newkey ec -pkeyopt ec_paramgen_curve:P-256");
  ASSERT_EQ(std::system(("openssl req -in " + (dir_ / "user.csr").string() + " -outform DER -out " +
                         (dir_ / "user.der").string())
                            .c_str()),
            0);
  auto der = read_file(dir_ / "user.der");
  der[der.size() - 10] ^= 0x01;  // inside the signature
  const auto forged =
      "-----BEGIN CERTIFICATE REQUEST-----\n" +
      crypto::base64_encode(reinterpret_cast<const uint8_t*>(der.data()), der.size()) +
      "\n-----END CERTIFICATE REQUEST-----\n";
  EXPECT_THROW(ca_->call(plugins::Operation::sign_request, request(forged)),
               plugins::PluginCallError);
  EXPECT_THROW(ca_->call(plugins::Operation::sign_request, request("not a CSR")),
               plugins::PluginCallError);
  auto bad_name = request(good);
  bad_name["san"] = {{"email", {"alice@corp.example,URI:https://evil"}}};
  EXPECT_THROW(ca_->call(plugins::Operation::sign_request, bad_name), plugins::PluginCallError)
      << "a value cannot smuggle another name into the certificate";
}

TEST_F(LocalCa, SignsACrlThatListsRevocationsWithReasonAndNumber) {
  auto issued = ca_->call(plugins::Operation::sign_request,
                          request(csr("-newkey ec -pkeyopt ec_paramgen_curve:P-256")));
  const std::string serial(issued.at("serial").as_string());
  EXPECT_EQ(ca_->call(plugins::Operation::revoke, {{"serial", serial}}).at("state"), "revoked");
  const long long now = std::time(nullptr);
  auto crl =
      ca_->call(plugins::Operation::crl,
                {{"revoked", {{{"serial", serial}, {"time", now}, {"reason", "keyCompromise"}}}},
                 {"crl_number", 7},
                 {"next_update", now + 86400}});
  const auto der = crypto::base64_decode(std::string(crl.at("crl").as_string()));
  ASSERT_TRUE(der);
  write_file(dir_ / "crl.der", std::string(der->begin(), der->end()));
  const auto text = shell_output("openssl crl -inform DER -in " + (dir_ / "crl.der").string() +
                                 " -CAfile " + (dir_ / "ca.pem").string() + " -noout -text 2>&1");
  EXPECT_NE(text.find("verify OK"), std::string::npos) << text;
  EXPECT_NE(text.find("Serial Number: " + serial), std::string::npos) << text;
  EXPECT_NE(text.find("Key Compromise"), std::string::npos);
  EXPECT_NE(text.find("X509v3 CRL Number: \n                7"), std::string::npos) << text;
  EXPECT_NE(text.find("Next Update"), std::string::npos);
  EXPECT_THROW(ca_->call(plugins::Operation::crl,
                         {{"revoked", {{{"serial", serial}, {"reason", "bored"}}}}}),
               plugins::PluginCallError);
}

TEST_F(LocalCa, KeepsItsKeySealedAndIsTheSameCaAfterARestart) {
  std::string stored;
  int encrypted = 0;
  database_->with_session([&](soci::session& sql) {
    sql << "SELECT item_value, encrypted FROM plugin_store WHERE plugin_id = "
           "'org.tessera.ca_local' AND object_id = 'corp-ca' AND item_key = 'ca_key'",
        soci::into(stored), soci::into(encrypted);
  });
  EXPECT_EQ(encrypted, 1);
  EXPECT_EQ(stored.find("PRIVATE KEY"), std::string::npos);
  auto again = registry_.create_instance(TESSERA_COMPONENT_CA_CONNECTOR, "ca_local", "corp-ca", {});
  EXPECT_EQ(again->call(plugins::Operation::ca_certificate, {}).at("certificate"),
            ca_->call(plugins::Operation::ca_certificate, {}).at("certificate"));
  auto other = registry_.create_instance(TESSERA_COMPONENT_CA_CONNECTOR, "ca_local", "other", {});
  EXPECT_NE(other->call(plugins::Operation::ca_certificate, {}).at("certificate"),
            ca_->call(plugins::Operation::ca_certificate, {}).at("certificate"));
}

TEST_F(LocalCa, ImportsAnExistingCaAndRefusesAKeyOfAnotherOne) {
  auto make_ca = [&](const std::string& name) {
    const auto command = "openssl req -x509 -newkey rsa:3072 -nodes -days 30 -subj /CN=" + name +
                         " -addext basicConstraints=critical,CA:TRUE -keyout " +
                         (dir_ / (name + ".key")).string() + " -out " +
                         (dir_ / (name + ".pem")).string() + " 2>/dev/null";
    EXPECT_EQ(std::system(command.c_str()), 0);
  };
  make_ca("Imported");
  make_ca("Other");
  auto imported = registry_.create_instance(TESSERA_COMPONENT_CA_CONNECTOR, "ca_local", "imported",
                                            {{"certificate", read_file(dir_ / "Imported.pem")},
                                             {"private_key", read_file(dir_ / "Imported.key")}});
  EXPECT_EQ(
      std::string(
          imported->call(plugins::Operation::ca_certificate, {}).at("certificate").as_string()),
      read_file(dir_ / "Imported.pem"));
  try {
    registry_.create_instance(TESSERA_COMPONENT_CA_CONNECTOR, "ca_local", "mismatch",
                              {{"certificate", read_file(dir_ / "Imported.pem")},
                               {"private_key", read_file(dir_ / "Other.key")}});
    FAIL() << "a key of another CA";
  } catch (const plugins::PluginCallError& e) {
    EXPECT_NE(std::string(e.what()).find("does not belong to the CA certificate"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tessera::testing
