// The LDAP resolver against a real slapd that the slapd.sh fixture starts with users carol and
// dave: login by bind, attribute mapping, read-only users, a sealed bind password, and filter
// injection.
#include <fstream>

#include <gtest/gtest.h>
#include <soci/soci.h>
#include <boost/json.hpp>

#include "tests/support/server_process.hpp"
#include "tests/support/test_http_client.hpp"

namespace tessera::testing {
namespace {

const char* kForm = "application/x-www-form-urlencoded";

boost::json::object json_of(const TestResponse& r) {
  return boost::json::parse(r.body).as_object();
}

std::string fixture_file(const char* name) {
  std::ifstream in(std::string(TESSERA_LDAP_DIR) + "/" + name);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string ldap_port() {
  return fixture_file("port");
}

class Ldap : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("tessera-ldap");
    server_ = std::make_unique<ServerProcess>(
        ServerOptions{
            .plugin_directories = {TESSERA_PLUGIN_DIR},
            .top_extra =
                "auth:\n  lockout: { max_failures: 3, window_seconds: 60, lock_seconds: 60 }\n"},
        dir_);
    admin_ = token("username=admin&password=test-admin-pw");
    ASSERT_FALSE(ldap_port().empty()) << "the slapd fixture is not running";
    auto r = call("POST", "/resolver/directory", admin_, resolver_params("service-password"));
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(call("POST", "/realm/ldap", admin_, "resolvers=directory").status, 200);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  static std::string resolver_params(const std::string& password) {
    return "type=ldap&uri=ldap://127.0.0.1:" + ldap_port() +
           "&base_dn=ou%3Dpeople,dc%3Dexample,dc%3Dorg&bind_dn=uid%3Dsvc-tessera,dc%3Dexample,dc%"
           "3Dorg"
           "&bind_password=" +
           password + "&timeout_seconds=3";
  }
  TestResponse call(const std::string& method, const std::string& path, const std::string& token,
                    const std::string& body = "") {
    TestHttpClient client;
    if (!token.empty()) client.header("Authorization: " + token);
    return client.request(method, server_->url() + path, body, body.empty() ? "" : kForm);
  }
  TestResponse login(const std::string& form) {
    TestHttpClient client;
    return client.post(server_->url() + "/auth", form, kForm);
  }
  std::string token(const std::string& form) {
    auto r = login(form);
    return r.status == 200
               ? std::string(json_of(r).at("result").at("value").at("token").as_string())
               : "";
  }

  std::filesystem::path dir_;
  std::unique_ptr<ServerProcess> server_;
  std::string admin_;
};

TEST_F(Ldap, UsersLogInByBindingAsThemselves) {
  auto r = login("username=carol&password=carol-password&realm=ldap");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r).at("result").at("value").at("role"), "user");
  EXPECT_EQ(json_of(r).at("result").at("value").at("realm"), "ldap");
  EXPECT_EQ(login("username=dave&password=dave-password&realm=ldap").status, 200);
  EXPECT_EQ(login("username=carol&password=dave-password&realm=ldap").status, 401);
  EXPECT_EQ(login("username=carol&password=&realm=ldap").status, 401) << "no anonymous bind";
  EXPECT_EQ(login("username=nobody&password=x&realm=ldap").status, 401);
}

TEST_F(Ldap, LockoutCountsTheAccountNotTheSpellingOfItsName) {
  // The directory matches these spellings to carol; the lockout must count them together.
  for (const auto* name : {"Carol", "CAROL", "carol%20"})
    EXPECT_EQ(login(std::string("username=") + name + "&password=wrong&realm=ldap").status, 401);
  EXPECT_EQ(login("username=carol&password=carol-password&realm=ldap").status, 401) << "locked";
  EXPECT_EQ(login("username=dave&password=dave-password&realm=ldap").status, 200)
      << "others are not";
}

TEST_F(Ldap, ANewServerNeedsTheBindPasswordAgain) {
  auto params = resolver_params("__CENSORED__");
  params.replace(params.find("127.0.0.1"), 9, "localhost");
  auto r = call("POST", "/resolver/directory", admin_, params);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("give bind_password again"), std::string::npos);
}

TEST_F(Ldap, TalksTlsAndVerifiesTheServer) {
  const std::string ca = std::string(TESSERA_LDAP_DIR) + "/ca.pem";
  const std::string account =
      "&base_dn=ou%3Dpeople,dc%3Dexample,dc%3Dorg&bind_dn=uid%3Dsvc-tessera,dc%3Dexample,dc%3Dorg"
      "&bind_password=service-password&timeout_seconds=3";
  auto use = [&](const std::string& name, const std::string& settings) {
    ASSERT_EQ(call("POST", "/resolver/" + name, admin_, "type=ldap" + settings + account).status,
              200);
    ASSERT_EQ(call("POST", "/realm/" + name, admin_, "resolvers=" + name).status, 200);
  };
  use("ldaps", "&uri=ldaps://127.0.0.1:" + fixture_file("tls_port") + "&ca_file=" + ca);
  use("starttls", "&uri=ldap://127.0.0.1:" + ldap_port() + "&start_tls=1&ca_file=" + ca);
  use("untrusted", "&uri=ldaps://127.0.0.1:" + fixture_file("tls_port"));
  EXPECT_EQ(login("username=carol&password=carol-password&realm=ldaps").status, 200);
  EXPECT_EQ(login("username=carol&password=carol-password&realm=starttls").status, 200);
  // The self-signed server certificate is not among the system's CAs: refused, not trusted.
  EXPECT_EQ(login("username=carol&password=carol-password&realm=untrusted").status, 503);
}

TEST_F(Ldap, FilterCharactersInNamesAreEscaped) {
  EXPECT_EQ(login("username=*&password=carol-password&realm=ldap").status, 401);
  EXPECT_EQ(login("username=carol)(uid%3D*&password=carol-password&realm=ldap").status, 401);
  EXPECT_EQ(login("username=car*&password=carol-password&realm=ldap").status, 401);
}

TEST_F(Ldap, ListsUsersWithMappedAttributesReadOnly) {
  auto r = call("GET", "/user/?realm=ldap", admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto body = json_of(r);
  const auto& users = body.at("result").at("value").as_array();
  ASSERT_EQ(users.size(), 2u);
  const auto& carol = users[0].at("username") == "carol" ? users[0] : users[1];
  EXPECT_EQ(carol.at("email"), "carol@ldap.example");
  EXPECT_EQ(carol.at("givenname"), "Carol");
  EXPECT_EQ(carol.at("surname"), "Jones");
  EXPECT_EQ(carol.at("mobile"), "+49 170 1111");
  EXPECT_EQ(carol.at("editable"), false);
  EXPECT_EQ(
      call("POST", "/user/", admin_, "user=eve&resolver=directory&password=eve-password").status,
      400);
  const auto carol_token = token("username=carol&password=carol-password&realm=ldap");
  auto mine = json_of(call("GET", "/user/", carol_token));
  EXPECT_EQ(mine.at("result").at("value").as_array().size(), 1u);
  EXPECT_EQ(call("PUT", "/user/", carol_token, "email=x@y.example").status, 400);
}

// An attribute mapped to "" is not read: an admin can stop showing the directory's mobile
// numbers (say, for SMS) instead of falling back to the default mapping.
TEST_F(Ldap, AnAttributeMappingCanBeCleared) {
  auto carol = [&] {
    const auto body = json_of(call("GET", "/user/?realm=ldap&username=carol", admin_));
    return body.at("result").at("value").at(0).as_object();
  };
  ASSERT_EQ(carol().at("mobile"), "+49 170 1111");
  TestHttpClient client;
  client.header("Authorization: " + admin_);
  const auto r = client.request(
      "POST", server_->url() + "/resolver/directory",
      R"({"type":"ldap","uri":"ldap://127.0.0.1:)" + ldap_port() +
          R"(","base_dn":"ou=people,dc=example,dc=org","bind_dn":"uid=svc-tessera,dc=example,)"
          R"(dc=org","bind_password":"service-password","attributes":{"mobile":""}})",
      "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(carol().at("mobile"), "");
  EXPECT_EQ(carol().at("email"), "carol@ldap.example") << "fields left out keep their default";
  const auto settings = json_of(call("GET", "/resolver/", admin_));
  EXPECT_EQ(
      settings.at("result").at("value").at("directory").at("data").at("attributes").at("mobile"),
      "");
}

TEST_F(Ldap, TheDirectoryPasswordIsTheOtpPinWithOtppinUserstore) {
  ASSERT_EQ(
      call("POST", "/policy/pin", admin_, "scope=authentication&realm=ldap&action=otppin=userstore")
          .status,
      200);
  auto r = call("POST", "/token/init", admin_,
                "type=hotp&user=carol&realm=ldap&otpkey=3132333435363738393031323334353637383930");
  ASSERT_EQ(r.status, 200) << r.body;
  auto check = [&](const std::string& pass) {
    TestHttpClient client;
    auto body = json_of(client.post(server_->url() + "/validate/check",
                                    "user=carol&realm=ldap&pass=" + pass, kForm));
    return std::string(body.at("detail").at("message").as_string());
  };
  EXPECT_EQ(check("carol-password755224"), "matching 1 tokens") << "bound as carol";
  EXPECT_EQ(check("dave-password287082"), "wrong otp pin");
  EXPECT_EQ(check("carol-password287082"), "matching 1 tokens");
}

TEST_F(Ldap, TheBindPasswordIsSealedAndNeverShown) {
  auto r = call("GET", "/resolver/", admin_);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json_of(r).at("result").at("value").at("directory").at("data").at("bind_password"),
            "__CENSORED__");
  EXPECT_EQ(r.body.find("service-password"), std::string::npos);
  soci::session db("sqlite3", "db=" + (dir_ / "data" / "tessera.db").string());
  std::string config;
  db << "SELECT config FROM resolver WHERE name = 'directory'", soci::into(config);
  EXPECT_EQ(config.find("service-password"), std::string::npos) << config;
  // Sending the censored value back keeps the stored password.
  ASSERT_EQ(call("POST", "/resolver/directory", admin_, resolver_params("__CENSORED__")).status,
            200);
  EXPECT_EQ(login("username=carol&password=carol-password&realm=ldap").status, 200);
}

TEST_F(Ldap, AnUnusableDirectoryIsReportedNotTakenForAWrongPassword) {
  ASSERT_EQ(
      call("POST", "/resolver/directory", admin_, resolver_params("wrong-service-password")).status,
      200);
  auto r = login("username=carol&password=carol-password&realm=ldap");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("cannot be reached"), std::string::npos);
  EXPECT_EQ(r.body.find("service-password"), std::string::npos);
  auto bad = call("POST", "/resolver/broken", admin_, "type=ldap&uri=http://x&base_dn=dc%3Dx");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("ldap://"), std::string::npos);
}

}  // namespace
}  // namespace tessera::testing
