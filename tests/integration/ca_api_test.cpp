// CA connectors over the API and what a CA publishes, checked with openssl: a local CA made by
// POST /caconnector/, its certificate and CRL at stable URLs, imports with the key kept secret,
// bad input refused, rights enforced, and the CA surviving a delete and re-create.
#include <fstream>
#include <sstream>

#include "tests/integration/token_fixture.hpp"

namespace tessera::testing {
namespace {

class CaApi : public TokenFixture {
 protected:
  void SetUp() override { start(); }

  TestResponse post_json(const std::string& path, const boost::json::object& body) {
    TestHttpClient client;
    client.header("Authorization: " + admin_);
    return client.post(server_->url() + path, boost::json::serialize(body), "application/json");
  }
};

TEST_F(CaApi, ALocalCaPublishesItsCertificateAndAVerifiableCrl) {
  auto r = api_->call("POST", "/caconnector/corp", admin_,
                      "type=ca_local&common_name=Corp%20Issuing%20CA&validity_days=365");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto listed = json_of(api_->call("GET", "/caconnector/", admin_));
  const auto& first = listed.at("result").at("value").at(0).as_object();
  EXPECT_EQ(first.at("connectorname"), "corp");
  EXPECT_EQ(first.at("type"), "ca_local");
  EXPECT_EQ(first.at("data").at("validity_days"), 365);
  EXPECT_EQ(first.at("data").at("key_type"), "ec-p256");

  TestHttpClient anyone;
  auto cert = anyone.get(server_->url() + "/ca/corp/cert");
  ASSERT_EQ(cert.status, 200);
  EXPECT_EQ(cert.content_type, "application/x-pem-file");
  const auto cert_file = save("ca.pem", cert.body);
  EXPECT_EQ(shell_output("openssl x509 -noout -subject -in " + cert_file.string()),
            "subject=CN = Corp Issuing CA");

  auto crl = anyone.get(server_->url() + "/ca/corp/crl");
  ASSERT_EQ(crl.status, 200);
  EXPECT_EQ(crl.content_type, "application/pkix-crl");
  const auto crl_file = save("ca.crl", crl.body);
  const auto text = shell_output("openssl crl -inform DER -in " + crl_file.string() + " -CAfile " +
                                 cert_file.string() + " -noout -text 2>&1");
  EXPECT_NE(text.find("verify OK"), std::string::npos) << text;
  EXPECT_NE(text.find("X509v3 CRL Number: \n                1"), std::string::npos) << text;
  EXPECT_NE(text.find("No Revoked Certificates"), std::string::npos) << text;
  EXPECT_EQ(anyone.get(server_->url() + "/ca/corp/crl").body, crl.body)
      << "the stored CRL is served until it is due";

  // Gone and made again under the same name: the same CA (its key was kept).
  EXPECT_EQ(json_of(api_->call("DELETE", "/caconnector/corp", admin_)).at("result").at("value"), 1);
  EXPECT_EQ(anyone.get(server_->url() + "/ca/corp/cert").status, 404);
  ASSERT_EQ(api_->call("POST", "/caconnector/corp", admin_, "type=ca_local").status, 200);
  EXPECT_EQ(anyone.get(server_->url() + "/ca/corp/cert").body, cert.body);
}

TEST_F(CaApi, ImportsACaAndNeverShowsItsKey) {
  const auto key = server_->dir() / "imported.key";
  const auto pem = server_->dir() / "imported.pem";
  ASSERT_EQ(std::system(("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                         "-days 30 -subj /CN=Imported -addext basicConstraints=critical,CA:TRUE "
                         "-keyout " +
                         key.string() + " -out " + pem.string() + " 2>/dev/null")
                            .c_str()),
            0);
  auto r = post_json(
      "/caconnector/imported",
      {{"type", "ca_local"}, {"certificate", read_file(pem)}, {"private_key", read_file(key)}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto listed = api_->call("GET", "/caconnector/imported", admin_);
  EXPECT_EQ(json_of(listed).at("result").at("value").at(0).at("data").at("private_key"), "***");
  EXPECT_EQ(listed.body.find("PRIVATE KEY"), std::string::npos);
  TestHttpClient anyone;
  EXPECT_EQ(anyone.get(server_->url() + "/ca/imported/cert").body, read_file(pem));
  // Not in the database in the clear either.
  std::stringstream all;
  all << std::ifstream(server_->dir() / "data" / "tessera.db", std::ios::binary).rdbuf()
      << std::ifstream(server_->dir() / "data" / "tessera.db-wal", std::ios::binary).rdbuf();
  EXPECT_EQ(all.str().find("PRIVATE KEY"), std::string::npos);

  // Saved again (as the WebUI does after an edit), the key left out or "***" is kept: the CA
  // still signs CRLs that its certificate verifies.
  for (const char* kept : {"***", ""}) {
    boost::json::object again{{"type", "ca_local"}, {"certificate", read_file(pem)}};
    if (*kept) again["private_key"] = kept;
    r = post_json("/caconnector/imported", again);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto crl = save("imported.crl", anyone.get(server_->url() + "/ca/imported/crl").body);
    EXPECT_EQ(shell_output("openssl crl -inform DER -in " + crl.string() + " -CAfile " +
                           pem.string() + " -noout 2>&1"),
              "verify OK");
  }
  r = post_json("/caconnector/imported", {{"type", "other"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("is of type 'ca_local'"), std::string::npos) << r.body;
  const auto data_of = [&] {
    return json_of(api_->call("GET", "/caconnector/imported", admin_))
        .at("result")
        .at("value")
        .at(0)
        .at("data");
  };
  const auto before = data_of();
  r = post_json("/caconnector/imported",
                {{"certificate", read_file(pem)}, {"validity_days", "many"}});
  EXPECT_EQ(r.status, 400) << "a bad update changes nothing";
  EXPECT_EQ(data_of(), before);
  EXPECT_EQ(before.at("private_key"), "***");
  // "***" is how listings hide a secret: never a value of a new connector.
  r = post_json("/caconnector/fresh", {{"type", "ca_local"}, {"private_key", "***"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("'***' stands for a stored secret"), std::string::npos) << r.body;

  // Deleted, the name cannot take another CA: certificates it issued must stay verifiable.
  ASSERT_EQ(api_->call("DELETE", "/caconnector/imported", admin_).status, 200);
  ASSERT_EQ(std::system(("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                         "-days 30 -subj /CN=Other -addext basicConstraints=critical,CA:TRUE "
                         "-keyout " +
                         key.string() + " -out " + pem.string() + " 2>/dev/null")
                            .c_str()),
            0);
  r = post_json(
      "/caconnector/imported",
      {{"type", "ca_local"}, {"certificate", read_file(pem)}, {"private_key", read_file(key)}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("already has another CA certificate"), std::string::npos) << r.body;
}

TEST_F(CaApi, ASaveFromAStaleFormIsRefused) {
  auto connector = [&] {
    return json_of(api_->call("GET", "/caconnector/corp", admin_)).at("result").at("value").at(0);
  };
  // version=0: only if there is none yet.
  ASSERT_EQ(api_->call("POST", "/caconnector/corp", admin_, "type=ca_local&version=0").status, 200);
  auto r = api_->call("POST", "/caconnector/corp", admin_, "type=ca_local&version=0");
  EXPECT_EQ(r.status, 409) << r.body;
  const auto read = connector().at("version").as_int64();
  ASSERT_GT(read, 0);
  // Two admins read version `read`; the first save wins, the second is refused.
  ASSERT_EQ(api_->call("POST", "/caconnector/corp", admin_,
                       "common_name=First&version=" + std::to_string(read))
                .status,
            200);
  const auto after_first = connector();
  EXPECT_NE(after_first.at("version").as_int64(), read);
  r = api_->call("POST", "/caconnector/corp", admin_,
                 "common_name=Second&version=" + std::to_string(read));
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.find("was changed"), std::string::npos) << r.body;
  EXPECT_EQ(connector(), after_first) << "nothing changed";
  EXPECT_EQ(api_->call("POST", "/caconnector/corp", admin_, "version=soon").status, 400);
  // Without a version, a save replaces what is there (eduMFA's behaviour).
  EXPECT_EQ(api_->call("POST", "/caconnector/corp", admin_, "common_name=Third").status, 200);
  EXPECT_EQ(connector().at("data").at("common_name"), "Third");
}

TEST_F(CaApi, BadInputIsRefusedWithTheReasonAndRightsApply) {
  const std::pair<std::string, std::string> cases[] = {
      {"type=nope", "no CA connector type 'nope' (loaded: ca_acme, ca_local, ca_msca)"},
      {"type=ca_local&validity_days=many", "'validity_days' must be an integer"},
      {"type=ca_local&colour=blue", "unknown parameter 'colour'"},
      {"type=ca_local&key_type=dsa-1024", "key_type 'dsa-1024' is not supported"},
      {"", "missing parameter 'type'"},
  };
  for (const auto& [params, reason] : cases) {
    auto r = api_->call("POST", "/caconnector/bad", admin_, params);
    EXPECT_EQ(r.status, 400) << params;
    EXPECT_NE(r.body.find(reason), std::string::npos) << params << ": " << r.body;
  }
  EXPECT_EQ(json_of(api_->call("GET", "/caconnector/", admin_))
                .at("result")
                .at("value")
                .as_array()
                .size(),
            0u);
  ASSERT_EQ(api_->call("POST", "/caconnector/once", admin_, "type=ca_local").status, 200);
  EXPECT_EQ(api_->call("POST", "/caconnector/once", admin_, "type=nope").status, 400)
      << "an existing connector keeps its type";
  EXPECT_EQ(api_->call("POST", "/caconnector/bad%20name", admin_, "type=ca_local").status, 400);
  TestHttpClient anyone;
  EXPECT_EQ(anyone.get(server_->url() + "/ca/missing/crl").status, 404);
  EXPECT_EQ(api_->call("GET", "/caconnector/", "").status, 401);
  const auto alice = api_->login("alice", "alice-password", "corp");
  EXPECT_EQ(api_->call("GET", "/caconnector/", alice).status, 403);
  set_policy("readonly", "scope=admin&action=caconnectorread,policywrite");
  EXPECT_EQ(api_->call("POST", "/caconnector/other", admin_, "type=ca_local").status, 403);
  EXPECT_EQ(api_->call("DELETE", "/caconnector/once", admin_).status, 403);
  EXPECT_EQ(api_->call("GET", "/caconnector/once", admin_).status, 200);
}

TEST_F(CaApi, AdminsDefineProfilesPerCaAndBadOnesAreRefused) {
  ASSERT_EQ(api_->call("POST", "/caconnector/corp", admin_, "type=ca_local").status, 200);
  auto r = api_->call(
      "POST", "/caconnector/corp/profile/smartcard", admin_,
      "validity_days=365,730,1095&key_types=ec-p256,rsa-3072&key_usage="
      "digitalSignature&extended_key_usage=clientAuth,smartcardLogon&subject.CN="
      "%7Bgivenname%7D%20%7Bsurname%7D&subject.O=%7Borganization%7D&san_upn=1&approval=1");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto listed = json_of(api_->call("GET", "/caconnector/corp", admin_));
  const auto& profile =
      listed.at("result").at("value").at(0).at("templates").at("smartcard").as_object();
  EXPECT_EQ(profile.at("validity_days"), (boost::json::array{365, 730, 1095}));
  EXPECT_EQ(profile.at("extended_key_usage"), (boost::json::array{"clientAuth", "smartcardLogon"}));
  EXPECT_EQ(profile.at("subject").at(0), (boost::json::array{"CN", "{givenname} {surname}"}));
  EXPECT_EQ(profile.at("approval"), true);
  EXPECT_EQ(profile.at("san_email"), true) << "a default";

  const std::pair<std::string, std::string> cases[] = {
      {"key_types=dsa-1024", "key type 'dsa-1024' is not supported"},
      {"extended_key_usage=codeSigning", "extended key usage 'codeSigning' is not supported"},
      {"validity_days=0", "'0' is not a number of days from 1 to 3650"},
      {"subject.CN=%7Bpassword%7D", "unknown tag {password}"},
      {"subject.XX=a", "subject field 'XX' is not supported"},
      {"subject.O=Corp", "the subject needs a CN"},
      {"approval=maybe", "'approval' must be 1 or 0"},
      {"colour=blue", "unknown profile parameter 'colour'"},
  };
  for (const auto& [params, reason] : cases) {
    auto bad = api_->call("POST", "/caconnector/corp/profile/bad", admin_, params);
    EXPECT_EQ(bad.status, 400) << params;
    EXPECT_NE(bad.body.find(reason), std::string::npos) << params << ": " << bad.body;
  }
  EXPECT_EQ(api_->call("POST", "/caconnector/nope/profile/x", admin_, "approval=1").status, 404);
  EXPECT_EQ(json_of(api_->call("DELETE", "/caconnector/corp/profile/smartcard", admin_))
                .at("result")
                .at("value"),
            1);
  EXPECT_EQ(api_->call("DELETE", "/caconnector/corp/profile/smartcard", admin_).status, 404);
}

// A deleted connector takes its profiles along: a new one of the same name starts without them.
TEST_F(CaApi, ADeletedConnectorTakesItsProfilesAlong) {
  ASSERT_EQ(api_->call("POST", "/caconnector/corp", admin_, "type=ca_local").status, 200);
  ASSERT_EQ(api_->call("POST", "/caconnector/corp/profile/user", admin_, "approval=1").status, 200);
  ASSERT_EQ(api_->call("DELETE", "/caconnector/corp", admin_).status, 200);
  EXPECT_EQ(api_->call("DELETE", "/caconnector/corp", admin_).status, 404);
  ASSERT_EQ(api_->call("POST", "/caconnector/corp", admin_, "type=ca_local").status, 200);
  const auto listed = json_of(api_->call("GET", "/caconnector/corp", admin_));
  EXPECT_TRUE(listed.at("result").at("value").at(0).at("templates").as_object().empty()) << listed;
}

}  // namespace
}  // namespace tessera::testing
