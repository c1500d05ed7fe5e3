// Organizations and their persons for enrollment forms, over HTTP against the real binary: the
// delegated domains and departments every person is checked against, secret IDs shown once,
// and a CSV import that previews every bad row and stores all rows or none.
#include "tests/integration/token_fixture.hpp"

namespace tessera::testing {
namespace {

class Organizations : public TokenFixture {
 protected:
  void SetUp() override {
    start({.server_extra = "  public_url: https://tessera.example/\n"});
    ASSERT_EQ(api_->call("POST", "/organization/acme", admin_,
                         "realm=corp&resolver=local&departments=Sales,Engineering&domains=acme."
                         "example,*.lab.acme.example")
                  .status,
              200);
  }
  TestResponse import(const std::string& csv, bool commit) {
    auto client = api_->client();
    client->header("Authorization: " + admin_);
    return client->post(server_->url() + "/person/import",
                        boost::json::serialize(boost::json::object{
                            {"organization", "acme"}, {"csv", csv}, {"commit", commit}}),
                        "application/json");
  }
  long long persons() {
    return json_of(api_->call("GET", "/person/?organization=acme", admin_))
        .at("result")
        .at("value")
        .at("count")
        .as_int64();
  }
};

TEST_F(Organizations, AnOrganizationNeedsABuiltInResolverOfItsRealmAndRealDomains) {
  auto listed = json_of(api_->call("GET", "/organization/", admin_));
  const auto acme = listed.at("result").at("value").at("acme").as_object();
  EXPECT_EQ(acme.at("realm"), "corp");
  EXPECT_EQ(acme.at("domains").as_array().size(), 2u);
  EXPECT_EQ(acme.at("departments").at(1), "Engineering");
  ASSERT_EQ(api_->call("POST", "/resolver/other", admin_, "type=sql").status, 200);
  for (const char* bad :
       {"realm=nowhere&resolver=local&domains=acme.example",
        "realm=corp&resolver=other&domains=acme.example", "realm=corp&resolver=local&domains=acme",
        "realm=corp&resolver=local&domains=acme..example", "realm=corp&resolver=local"}) {
    const auto r = api_->call("POST", "/organization/bad", admin_, bad);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
  }
  EXPECT_FALSE(json_of(api_->call("GET", "/organization/", admin_))
                   .at("result")
                   .at("value")
                   .as_object()
                   .contains("bad"))
      << "nothing stored";
  EXPECT_EQ(api_->call("POST", "/organization/acme", admin_,
                       "realm=corp&resolver=local&domains=acme.example&version=7")
                .status,
            409)
      << "a stale save";
}

TEST_F(Organizations, APersonIsCheckedAndTheirSecretIdShownOnce) {
  const auto made = api_->call("POST", "/person/", admin_,
                               "organization=acme&email=Ann.Lee%40ACME.example&first_name=Ann&"
                               "last_name=Lee&department=Sales&secret_id=generate");
  ASSERT_EQ(made.status, 200) << made.body;
  const auto value = json_of(made).at("result").at("value").as_object();
  EXPECT_EQ(value.at("email"), "ann.lee@acme.example");
  EXPECT_EQ(value.at("common_name"), "Ann Lee");
  const std::string secret(value.at("secret_id").as_string());
  EXPECT_EQ(secret.size(), 20u);
  const auto listed = api_->call("GET", "/person/?organization=acme", admin_);
  EXPECT_EQ(listed.body.find(secret), std::string::npos) << "never shown again";
  EXPECT_EQ(json_of(listed).at("result").at("value").at("persons").at(0).at("secret_id"), true);

  for (const char* bad :
       {"organization=acme&email=ann%40other.example&first_name=A",  // outside the domains
        "organization=acme&email=bob%40acme.example&first_name=B&department=Legal",
        "organization=acme&email=ann.lee%40acme.example&first_name=A",  // taken
        "organization=acme&email=bob%40acme.example&first_name=B&secret_id=short",
        "organization=acme&email=not-an-address&first_name=B"}) {
    const auto r = api_->call("POST", "/person/", admin_, bad);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
  }
  EXPECT_EQ(api_->call("POST", "/person/", admin_, "organization=none&email=a%40b.example").status,
            404);
  EXPECT_EQ(persons(), 1);
  // An organization with persons stays; without them it goes.
  EXPECT_EQ(api_->call("DELETE", "/organization/acme", admin_).status, 400);
  EXPECT_EQ(api_->call("DELETE", "/person/acme/ann.lee%40acme.example", admin_).status, 200);
  EXPECT_EQ(api_->call("DELETE", "/organization/acme", admin_).status, 200);
  // Users are not admins of anything here.
  const auto alice = api_->login("alice", "alice-password", "corp");
  EXPECT_EQ(api_->call("GET", "/organization/", alice).status, 403);
}

TEST_F(Organizations, ACsvImportShowsEveryBadRowAndStoresAllOrNothing) {
  const std::string header = "email,first_name,last_name,department,secret_id\n";
  const std::string good =
      "ann@acme.example,Ann,Lee,Sales,generate\n"
      "\"bo@lab.acme.example\",\"Bo, Jr.\",Chan,,\n"
      "cy@x.lab.acme.example,Cy,Dee,Engineering,a-long-enough-secret\n";
  const std::string bad =
      "eve@other.example,Eve,Ives,,\n"
      "fay@acme.example,Fay,Fox,Legal,\n"
      "ann@acme.example,Ann,Again,,\n"
      "gus@acme.example,Gus,Go,,short\n";
  const auto preview = import(header + good + bad, false);
  ASSERT_EQ(preview.status, 200) << preview.body;
  const auto value = json_of(preview).at("result").at("value").as_object();
  EXPECT_EQ(value.at("rows"), 7);
  EXPECT_EQ(value.at("valid"), 3);
  const auto& errors = value.at("errors").as_array();
  ASSERT_EQ(errors.size(), 4u) << preview.body;
  EXPECT_EQ(errors[0].at("row"), 4);
  EXPECT_NE(std::string(errors[0].at("reason").as_string()).find("delegated domain"),
            std::string::npos);
  EXPECT_NE(std::string(errors[1].at("reason").as_string()).find("no department 'Legal'"),
            std::string::npos);
  EXPECT_NE(std::string(errors[2].at("reason").as_string()).find("twice in the file"),
            std::string::npos);
  EXPECT_NE(std::string(errors[3].at("reason").as_string()).find("8 to 128"), std::string::npos);
  EXPECT_EQ(persons(), 0) << "a preview stores nothing";

  const auto refused = import(header + good + bad, true);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("4 row(s) have problems; nothing was imported"), std::string::npos);
  EXPECT_EQ(persons(), 0);

  const auto committed = import(header + good, true);
  ASSERT_EQ(committed.status, 200) << committed.body;
  const auto done = json_of(committed).at("result").at("value").as_object();
  EXPECT_EQ(done.at("imported"), 3);
  ASSERT_EQ(done.at("secret_ids").as_array().size(), 1u) << "only the generated one is shown";
  EXPECT_EQ(done.at("secret_ids").at(0).at("email"), "ann@acme.example");
  EXPECT_EQ(persons(), 3);
  const auto again = import(header + good, false);
  EXPECT_EQ(json_of(again).at("result").at("value").at("errors").as_array().size(), 3u)
      << "each is a person already";

  EXPECT_EQ(import("name,email\n", false).status, 400) << "an unknown column";
  EXPECT_EQ(import("first_name\nAnn\n", false).status, 400) << "no email column";
  EXPECT_EQ(import("email\n\"open\n", false).status, 400) << "a quote not closed";
}

}  // namespace
}  // namespace tessera::testing

namespace tessera::testing {
namespace {

// Enrollment forms and their accounts, as admins set them up.
class EnrollmentForms : public Organizations {
 protected:
  void SetUp() override {
    Organizations::SetUp();
    ASSERT_EQ(api_->call("POST", "/notifier/mail", admin_,
                         "type=email&host=127.0.0.1&port=2525&security=none&sender=pki%40acme."
                         "example")
                  .status,
              200);
    ASSERT_EQ(api_->call("POST", "/caconnector/corp", admin_, "type=ca_local").status, 200);
    ASSERT_EQ(api_->call("POST", "/caconnector/corp/profile/user", admin_,
                         "key_types=ec-p256&subject.CN=%7Busername%7D")
                  .status,
              200);
  }
  boost::json::object form(const std::string& name) {
    return json_of(api_->call("GET", "/enrollmentform/", admin_))
        .at("result")
        .at("value")
        .at(name)
        .as_object();
  }
};

TEST_F(EnrollmentForms, AFormHasAnUnguessableUrlThatARegenerationReplaces) {
  const auto made = api_->call("POST", "/enrollmentform/staff", admin_,
                               "auth_types=email,secret_id&notifier=mail&eula=Use%20it%20well&"
                               "help_text=Ask%20IT&help_links=https://help.acme.example/certs");
  ASSERT_EQ(made.status, 200) << made.body;
  auto f = form("staff");
  const std::string extension(f.at("extension").as_string());
  EXPECT_EQ(extension.size(), 43u) << "256 random bits";
  EXPECT_EQ(std::string(f.at("url_path").as_string()), "/enroll/" + extension);
  EXPECT_EQ(f.at("eula_version"), 1);
  EXPECT_EQ(f.at("enabled"), true);

  // Saving again keeps the URL; a changed EULA gets a new version, the same text does not.
  const std::string again = "auth_types=email&notifier=mail&eula=Use%20it%20well";
  ASSERT_EQ(api_->call("POST", "/enrollmentform/staff", admin_, again).status, 200);
  EXPECT_EQ(std::string(form("staff").at("extension").as_string()), extension);
  EXPECT_EQ(form("staff").at("eula_version"), 1);
  ASSERT_EQ(api_->call("POST", "/enrollmentform/staff", admin_,
                       "auth_types=email&notifier=mail&eula=Use%20it%20better")
                .status,
            200);
  EXPECT_EQ(form("staff").at("eula_version"), 2);

  const auto regenerated = api_->call("POST", "/enrollmentform/staff/regenerate", admin_);
  ASSERT_EQ(regenerated.status, 200);
  EXPECT_NE(std::string(form("staff").at("extension").as_string()), extension);

  for (const char* bad : {"auth_types=email&eula=x",                   // no notifier
                          "auth_types=email&notifier=nothing&eula=x",  // unknown notifier
                          "auth_types=password&eula=x",                // unknown type
                          "auth_types=secret_id",                      // no EULA
                          "auth_types=secret_id&eula=x&help_links=ftp://x"}) {
    const auto r = api_->call("POST", "/enrollmentform/other", admin_, bad);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
  }
  EXPECT_FALSE(json_of(api_->call("GET", "/enrollmentform/", admin_))
                   .at("result")
                   .at("value")
                   .as_object()
                   .contains("other"));
}

TEST_F(EnrollmentForms, AnAccountOffersProfilesOfAnOrganizationAndKeepsItsAccessCodeHashed) {
  ASSERT_EQ(
      api_->call("POST", "/enrollmentform/staff", admin_, "auth_types=secret_id&eula=x").status,
      200);
  const std::string account = "/enrollmentform/staff/account/sales";
  const auto made =
      api_->call("POST", account, admin_,
                 "organization=acme&department=Sales&profiles=corp/user&csr_method=server&"
                 "authorization_method=access_code&access_code=shared-code-123");
  ASSERT_EQ(made.status, 200) << made.body;
  EXPECT_EQ(made.body.find("shared-code-123"), std::string::npos);
  auto a = form("staff").at("accounts").at("sales").as_object();
  EXPECT_EQ(a.at("access_code"), true);
  EXPECT_EQ(a.at("profiles").at(0).at("profile"), "user");
  // Saved again without the code: it is kept.
  ASSERT_EQ(
      api_->call("POST", account, admin_, "organization=acme&profiles=corp/user&csr_method=client")
          .status,
      200);
  a = form("staff").at("accounts").at("sales").as_object();
  EXPECT_EQ(a.at("access_code"), true);
  EXPECT_EQ(a.at("csr_method"), "client");

  for (const char* bad :
       {"organization=none&profiles=corp/user", "organization=acme&profiles=corp/none",
        "organization=acme&profiles=user", "organization=acme&profiles=corp/user&department=Legal",
        "organization=acme&profiles=corp/user&csr_method=browser",
        "organization=acme&profiles=corp/user&authorization_method=password",
        "organization=acme&profiles=corp/user&access_code=short"}) {
    const auto r = api_->call("POST", "/enrollmentform/staff/account/bad", admin_, bad);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
  }
  EXPECT_EQ(api_->call("POST", "/enrollmentform/staff/account/bad", admin_,
                       "organization=acme&profiles=corp/user")
                .status,
            400)
      << "an access_code account needs its code";
  EXPECT_EQ(api_->call("POST", "/enrollmentform/staff/account/open", admin_,
                       "organization=acme&profiles=corp/user&authorization_method=none")
                .status,
            200);
  EXPECT_EQ(form("staff").at("accounts").as_object().size(), 2u);
  EXPECT_EQ(api_->call("DELETE", "/enrollmentform/staff", admin_).status, 200);
  EXPECT_EQ(api_->call("POST", account, admin_, "organization=acme&profiles=corp/user").status,
            404);
}

}  // namespace
}  // namespace tessera::testing
