// Users, realms, resolvers and policies over the real API, and the authorization matrix: no
// token -> 401; a user only ever sees their own data; an admin does only what policies allow.
#include <fstream>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "tests/support/server_process.hpp"
#include "tests/support/test_http_client.hpp"

namespace tessera::testing {
namespace {

const char* kForm = "application/x-www-form-urlencoded";

boost::json::object json_of(const TestResponse& r) {
  return boost::json::parse(r.body).as_object();
}

class Identity : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("tessera-identity");
    std::ofstream(dir_ / "tessera.yaml") << make_config({}, dir_);
    server_ = std::make_unique<ServerProcess>(ServerOptions{}, dir_);
    // A second admin, added from the shell while the server runs.
    std::ofstream(dir_ / "pw") << "helpdesk-password\n";
    ASSERT_EQ(run_server_command(
                  {"--config", (dir_ / "tessera.yaml").string(), "admin", "add", "helpdesk"}, {},
                  dir_ / "pw")
                  .exit_code,
              0);
    admin_ = login("admin", "test-admin-pw");
    ASSERT_EQ(call("POST", "/resolver/local", admin_, "type=sql").status, 200);
    ASSERT_EQ(call("POST", "/realm/corp", admin_, "resolvers=local").status, 200);
    ASSERT_EQ(call("POST", "/user/", admin_,
                   "user=alice&resolver=local&password=alice-password&email=alice@corp.example&"
                   "givenname=Alice")
                  .status,
              200);
    ASSERT_EQ(call("POST", "/user/", admin_,
                   "user=bob&resolver=local&password=bob-password&email=bob@corp.example")
                  .status,
              200);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  TestResponse call(const std::string& method, const std::string& path, const std::string& token,
                    const std::string& body = "") {
    TestHttpClient client;
    if (!token.empty()) client.header("Authorization: " + token);
    return client.request(method, server_->url() + path, body, body.empty() ? "" : kForm);
  }
  std::string login(const std::string& user, const std::string& password,
                    const std::string& realm = "") {
    TestHttpClient client;
    auto r = client.post(
        server_->url() + "/auth",
        "username=" + user + "&password=" + password + (realm.empty() ? "" : "&realm=" + realm),
        kForm);
    if (r.status != 200) return {};
    return std::string(json_of(r).at("result").at("value").at("token").as_string());
  }
  std::vector<std::string> usernames(const TestResponse& r) {
    std::vector<std::string> names;
    const auto body = json_of(r);  // kept alive: the loop walks references into it
    for (const auto& u : body.at("result").at("value").as_array())
      names.emplace_back(u.at("username").as_string());
    return names;
  }

  std::filesystem::path dir_;
  std::unique_ptr<ServerProcess> server_;
  std::string admin_;
};

TEST_F(Identity, UsersLogInAgainstTheSqlStore) {
  TestHttpClient client;
  auto r = client.post(server_->url() + "/auth", "username=alice&password=alice-password", kForm);
  ASSERT_EQ(r.status, 200) << r.body;
  auto value = json_of(r).at("result").at("value");
  EXPECT_EQ(value.at("role"), "user");
  EXPECT_EQ(value.at("realm"), "corp") << "the default realm";
  EXPECT_FALSE(login("alice", "alice-password", "corp").empty());
  EXPECT_TRUE(login("alice", "bob-password").empty());
  EXPECT_TRUE(login("alice", "alice-password", "nowhere").empty());
}

TEST_F(Identity, EveryEndpointNeedsAToken) {
  for (const auto* path :
       {"/user/", "/resolver/", "/realm/", "/policy/", "/audit/", "/defaultrealm"}) {
    auto r = call("GET", path, "");
    EXPECT_EQ(r.status, 401) << path;
    EXPECT_EQ(json_of(r).at("result").at("error").at("code"), 4033) << path;
  }
}

TEST_F(Identity, AUserSeesAndChangesOnlyTheirOwnData) {
  const auto alice = login("alice", "alice-password");
  ASSERT_FALSE(alice.empty());
  EXPECT_EQ(usernames(call("GET", "/user/?username=bob", alice)),
            std::vector<std::string>{"alice"});
  // Naming bob does not redirect the change: alice's own record changes, bob's does not.
  EXPECT_EQ(
      call("PUT", "/user/", alice, "user=bob&resolver=local&email=mallory@evil.example").status,
      200);
  auto all = json_of(call("GET", "/user/?realm=corp", admin_)).at("result").at("value").as_array();
  for (const auto& u : all) {
    if (u.at("username") == "bob") {
      EXPECT_EQ(u.at("email"), "bob@corp.example");
    } else {
      EXPECT_EQ(u.at("email"), "mallory@evil.example");
    }
  }
  // A new password needs the current one.
  EXPECT_EQ(call("PUT", "/user/", alice, "password=new-alice-password").status, 403);
  EXPECT_EQ(
      call("PUT", "/user/", alice, "password=new-alice-password&current_password=alice-password")
          .status,
      200);
  EXPECT_FALSE(login("alice", "new-alice-password").empty());
  EXPECT_EQ(call("DELETE", "/user/local/bob", alice).status, 403);
  EXPECT_EQ(call("POST", "/user/", alice, "user=eve&resolver=local&password=eve-password").status,
            403);
  EXPECT_EQ(call("GET", "/resolver/", alice).status, 403);
  EXPECT_EQ(call("GET", "/policy/", alice).status, 403);
  EXPECT_EQ(call("POST", "/policy/mine", alice, "scope=admin&action=auditlog").status, 403);
  // The audit log shows alice only rows about alice.
  auto audit = call("GET", "/audit/", alice);
  ASSERT_EQ(audit.status, 200);
  const auto audit_body = json_of(audit);
  for (const auto& row : audit_body.at("result").at("value").at("auditdata").as_array())
    EXPECT_EQ(row.at("user"), "alice");
}

TEST_F(Identity, PolicyDefinitionsListWhatEachScopeAccepts) {
  auto r = call("GET", "/policy/defs", admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto defs = json_of(r).at("result").at("value").as_object();
  ASSERT_EQ(defs.size(), 4u);
  for (const auto& [scope, actions] : defs) {
    ASSERT_FALSE(actions.as_array().empty()) << scope;
    // Every listed action is one a policy of that scope may name.
    for (const auto& action : actions.as_array()) {
      std::string name(action.as_string());
      const bool takes_value = scope == "enrollment" || scope == "authentication";
      const auto saved = call("POST", "/policy/probe", admin_,
                              "scope=" + std::string(scope) + "&action=" + name +
                                  (!takes_value                                ? ""
                                   : name == "certificate_require_attestation" ? "%3Dverify"
                                                                               : "%3D1") +
                                  "&active=false");
      EXPECT_EQ(saved.status, 200) << scope << " " << name << ": " << saved.body;
    }
  }
  for (const char* right : {"statistics_read", "configread", "certificateapprove"})
    EXPECT_NE(r.body.find(std::string("\"") + right + "\""), std::string::npos) << right;
  EXPECT_EQ(call("GET", "/policy/defs", login("alice", "alice-password", "corp")).status, 403);
}

TEST_F(Identity, PoliciesAreDisabledAndEnabledInPlace) {
  ASSERT_EQ(call("POST", "/policy/pins", admin_,
                 "scope=enrollment&action=otp_pin_minlength%3D6&realm=corp&priority=3")
                .status,
            200);
  auto policy = [&] {
    const auto body = json_of(call("GET", "/policy/", admin_));
    for (const auto& p : body.at("result").at("value").as_array())
      if (p.at("name") == "pins") return p.as_object();
    return boost::json::object{};
  };
  const auto before = policy();
  ASSERT_EQ(call("POST", "/policy/disable/pins", admin_).status, 200);
  auto disabled = policy();
  EXPECT_EQ(disabled.at("active"), false);
  disabled["active"] = true;
  EXPECT_EQ(disabled, before) << "only active changed";
  ASSERT_EQ(call("POST", "/policy/enable/pins", admin_).status, 200);
  EXPECT_EQ(policy(), before);
  EXPECT_EQ(call("POST", "/policy/disable/nothing", admin_).status, 404);
  EXPECT_EQ(call("POST", "/policy/disable/pins", login("alice", "alice-password", "corp")).status,
            403);
}

TEST_F(Identity, AnAdminDoesOnlyWhatPoliciesAllow) {
  const auto helpdesk = login("helpdesk", "helpdesk-password");
  ASSERT_FALSE(helpdesk.empty());
  // No admin policy yet: every admin may do everything.
  EXPECT_EQ(call("GET", "/policy/", helpdesk).status, 200);
  ASSERT_EQ(call("POST", "/policy/superuser", admin_,
                 "scope=admin&adminuser=admin&action=policyread,policywrite,policydelete,auditlog,"
                 "userlist")
                .status,
            200);
  ASSERT_EQ(call("POST", "/policy/helpdesk", admin_,
                 "scope=admin&adminuser=helpdesk&realm=corp&action=userlist")
                .status,
            200);
  EXPECT_EQ(call("GET", "/user/?realm=corp", helpdesk).status, 200) << "allowed by its policy";
  // /auth tells the WebUI what the admin may do.
  TestHttpClient client;
  auto rights = json_of(client.post(server_->url() + "/auth",
                                    "username=helpdesk&password=helpdesk-password", kForm))
                    .at("result")
                    .at("value")
                    .at("rights");
  EXPECT_EQ(rights, boost::json::array{"userlist"});
  auto refused =
      call("POST", "/user/", helpdesk, "user=eve&resolver=local&realm=corp&password=eve-password");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(json_of(refused).at("result").at("error").at("code"), 303);
  EXPECT_EQ(call("GET", "/audit/", helpdesk).status, 403);
  EXPECT_EQ(call("GET", "/policy/", helpdesk).status, 403);
  EXPECT_EQ(call("GET", "/resolver/", admin_).status, 403)
      << "admin's own policy lacks resolverread";
  EXPECT_EQ(call("GET", "/audit/", admin_).status, 200);
  // A policy bound to another network does not match requests from loopback.
  ASSERT_EQ(call("POST", "/policy/helpdesk", admin_,
                 "scope=admin&adminuser=helpdesk&realm=corp&action=userlist&client=10.0.0.0/8")
                .status,
            200);
  EXPECT_EQ(call("GET", "/user/?realm=corp", helpdesk).status, 403);
  // The audit log names the policies that matched.
  auto audit = json_of(call("GET", "/audit/?action=GET%20/audit/&page_size=1", admin_));
  EXPECT_EQ(audit.at("result").at("value").at("auditdata").as_array()[0].at("policies"),
            "superuser");
}

TEST_F(Identity, RealmLimitedAdminsCannotRegroupRealmsAndDeletedAdminsLoseTheirTokens) {
  const auto helpdesk = login("helpdesk", "helpdesk-password");
  ASSERT_EQ(call("POST", "/policy/superuser", admin_,
                 "scope=admin&adminuser=admin&action=realmwrite,policywrite")
                .status,
            200);
  ASSERT_EQ(call("POST", "/policy/helpdesk", admin_,
                 "scope=admin&adminuser=helpdesk&realm=corp&action=realmwrite,updateuser")
                .status,
            200);
  // Adding another realm's resolver to corp would hand its users to helpdesk.
  EXPECT_EQ(call("POST", "/realm/corp", helpdesk, "resolvers=local").status, 403);
  EXPECT_EQ(call("POST", "/defaultrealm/corp", helpdesk).status, 403);
  EXPECT_EQ(call("POST", "/realm/corp", admin_, "resolvers=local").status, 200);
  ASSERT_EQ(run_server_command(
                {"--config", (dir_ / "tessera.yaml").string(), "admin", "delete", "helpdesk"})
                .exit_code,
            0);
  EXPECT_EQ(call("GET", "/user/?realm=corp", helpdesk).status, 401) << "the account is gone";
}

TEST_F(Identity, BadPoliciesAreRefusedWithTheReason) {
  auto unknown_scope = call("POST", "/policy/p", admin_, "scope=galaxy&action=auditlog");
  EXPECT_EQ(unknown_scope.status, 400);
  EXPECT_NE(unknown_scope.body.find("unknown scope 'galaxy'"), std::string::npos);
  auto unknown_action = call("POST", "/policy/p", admin_, "scope=admin&action=fly");
  EXPECT_EQ(unknown_action.status, 400);
  EXPECT_NE(unknown_action.body.find("unknown action 'fly' in scope admin"), std::string::npos);
  EXPECT_EQ(
      call("POST", "/policy/p", admin_, "scope=admin&action=auditlog&client=not-an-ip").status,
      400);
  EXPECT_EQ(call("POST", "/policy/bad%20name", admin_, "scope=admin&action=auditlog").status, 400);
  EXPECT_EQ(
      call("POST", "/policy/p", admin_, "scope=authentication&action=otppin=userstore").status,
      200);
  EXPECT_EQ(call("DELETE", "/policy/p", admin_).status, 200);
  EXPECT_EQ(call("DELETE", "/policy/p", admin_).status, 404);
}

TEST_F(Identity, RealmsAndResolversRefuseInconsistentChanges) {
  EXPECT_EQ(call("POST", "/realm/other", admin_, "resolvers=missing").status, 400);
  EXPECT_EQ(call("DELETE", "/resolver/local", admin_).status, 400) << "realm corp uses it";
  EXPECT_EQ(call("POST", "/resolver/x", admin_, "type=ldap").status, 400);
  EXPECT_EQ(call("POST", "/user/", admin_, "user=alice&resolver=local&password=another-pw").status,
            400)
      << "names are unique per resolver";
  EXPECT_EQ(call("POST", "/user/", admin_, "user=carol&resolver=local&password=short").status, 400);
  auto realms = json_of(call("GET", "/realm/", admin_)).at("result").at("value");
  EXPECT_EQ(realms.at("corp").at("default"), true);
  // The default realm goes last, or after another one takes its place.
  ASSERT_EQ(call("POST", "/realm/second", admin_, "resolvers=local").status, 200);
  const auto refused = call("DELETE", "/realm/corp", admin_);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("is the default realm"), std::string::npos) << refused.body;
  EXPECT_EQ(
      json_of(call("GET", "/realm/", admin_)).at("result").at("value").at("corp").at("default"),
      true);
  EXPECT_EQ(call("DELETE", "/realm/second", admin_).status, 200);
  const auto bob = login("bob", "bob-password");
  EXPECT_EQ(call("DELETE", "/user/local/bob", admin_).status, 200);
  EXPECT_TRUE(login("bob", "bob-password").empty());
  EXPECT_EQ(call("GET", "/user/", bob).status, 401)
      << "a deleted user's token ends with the account";
}

}  // namespace
}  // namespace tessera::testing
