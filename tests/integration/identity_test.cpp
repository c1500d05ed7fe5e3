// Users, realms, resolvers and policies over the real API, and the authorization matrix: no
// token -> 401; a user only ever sees their own data; an admin does only what policies allow.
#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

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

// Logging out ends the session on the server: the JWT the tab held is refused afterwards. An
// admin can end every session of a user at once.
TEST_F(Identity, LogoutEndsTheSessionAndAnAdminCanEndAllOfAUsers) {
  const auto alice = login("alice", "alice-password");
  ASSERT_EQ(call("GET", "/user/", alice).status, 200);
  ASSERT_EQ(call("POST", "/auth/logout", alice).status, 200);
  EXPECT_EQ(call("GET", "/user/", alice).status, 401) << "the logged-out JWT";
  EXPECT_EQ(call("GET", "/token/", alice).status, 401);

  const auto admin = login("admin", "test-admin-pw");
  ASSERT_EQ(call("POST", "/auth/logout", admin).status, 200);
  EXPECT_EQ(call("GET", "/user/?realm=corp", admin).status, 401) << "admins too";
  EXPECT_EQ(call("GET", "/user/?realm=corp", admin_).status, 200) << "other sessions go on";

  const auto laptop = login("alice", "alice-password");
  const auto phone = login("alice", "alice-password");
  const auto bob = login("bob", "bob-password");
  EXPECT_EQ(call("DELETE", "/auth/sessions?user=alice&realm=corp", bob).status, 403);
  ASSERT_EQ(call("DELETE", "/auth/sessions?user=alice&realm=corp", admin_).status, 200);
  EXPECT_EQ(call("GET", "/user/", laptop).status, 401);
  EXPECT_EQ(call("GET", "/user/", phone).status, 401);
  EXPECT_EQ(call("GET", "/user/", bob).status, 200) << "bob's session goes on";
  EXPECT_EQ(call("DELETE", "/auth/sessions?user=nobody&realm=corp", admin_).status, 404);
  // Sessions begun after that are valid (the cutoff is by the second they were issued in).
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(call("GET", "/user/", login("alice", "alice-password")).status, 200);
}

TEST_F(Identity, AUserSeesAndChangesOnlyTheirOwnData) {
  const auto alice = login("alice", "alice-password");
  ASSERT_FALSE(alice.empty());
  EXPECT_EQ(usernames(call("GET", "/user/?username=bob", alice)),
            std::vector<std::string>{"alice"});
  // Naming bob is refused, not redirected: neither alice's record nor bob's changes.
  EXPECT_EQ(
      call("PUT", "/user/", alice, "user=bob&resolver=local&email=mallory@evil.example").status,
      403);
  EXPECT_EQ(call("PUT", "/user/", alice, "realm=other&phone=1").status, 403);
  auto all = json_of(call("GET", "/user/?realm=corp", admin_)).at("result").at("value").as_array();
  for (const auto& u : all) EXPECT_NE(u.at("email"), "mallory@evil.example") << u;
  // Her own phone she may change; attributes that reach certificates only where a user policy
  // (editable_attributes) lets her.
  EXPECT_EQ(call("PUT", "/user/", alice, "user=alice&phone=%2B49%20170%201").status, 200);
  const auto refused = call("PUT", "/user/", alice, "email=ceo@corp.example");
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("email"), std::string::npos) << refused.body;
  ASSERT_EQ(call("POST", "/policy/self-service", admin_,
                 "scope=user&action=editable_attributes%3Demail%20phone,updateuser&realm=corp")
                .status,
            200);
  EXPECT_EQ(call("PUT", "/user/", alice, "email=alice2@corp.example").status, 200);
  EXPECT_EQ(call("PUT", "/user/", alice, "givenname=Eve").status, 403);
  ASSERT_EQ(call("DELETE", "/policy/self-service", admin_).status, 200);
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
  // The audit log shows alice only what she asked for and rows about her.
  auto audit = call("GET", "/audit/", alice);
  ASSERT_EQ(audit.status, 200);
  const auto audit_body = json_of(audit);
  for (const auto& row : audit_body.at("result").at("value").at("auditdata").as_array()) {
    EXPECT_TRUE(row.at("actor_user") == "alice" || row.at("user") == "alice") << row;
    EXPECT_TRUE(row.at("user") == "alice" || row.at("user") == "") << row;
  }
}

TEST_F(Identity, PolicyDefinitionsListWhatEachScopeAccepts) {
  auto r = call("GET", "/policy/defs", admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto defs = json_of(r).at("result").at("value").as_object();
  ASSERT_EQ(defs.size(), 6u) << "admin, user, enrollment, authentication, webui, register";
  for (const auto& [scope, actions] : defs) {
    ASSERT_FALSE(actions.as_array().empty()) << scope;
    // Every listed action is one a policy of that scope may name.
    for (const auto& action : actions.as_array()) {
      std::string name(action.as_string());
      const bool takes_value = scope == "enrollment" || scope == "authentication" ||
                               scope == "webui" || scope == "register" ||
                               name == "editable_attributes";
      const auto saved = call("POST", "/policy/probe", admin_,
                              "scope=" + std::string(scope) + "&action=" + name +
                                  (!takes_value                                ? ""
                                   : name == "certificate_require_attestation" ? "%3Dverify"
                                   : name == "login_mode"                      ? "%3Dtessera"
                                   : name == "editable_attributes"             ? "%3Dphone"
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
  // Each change counts as a new version, so that a form read before it cannot undo it.
  auto unversioned = [](boost::json::object p) {
    p.erase("version");
    return p;
  };
  const auto before = policy();
  ASSERT_EQ(call("POST", "/policy/disable/pins", admin_).status, 200);
  auto disabled = policy();
  EXPECT_EQ(disabled.at("active"), false);
  EXPECT_EQ(disabled.at("version").as_int64(), before.at("version").as_int64() + 1);
  disabled["active"] = true;
  EXPECT_EQ(unversioned(disabled), unversioned(before)) << "only active changed";
  ASSERT_EQ(call("POST", "/policy/enable/pins", admin_).status, 200);
  EXPECT_EQ(unversioned(policy()), unversioned(before));
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

// Two admins editing one object: the save from the older form is refused (409) and changes
// nothing; a form for a new object (version 0) does not overwrite an existing one.
TEST_F(Identity, EveryEditableObjectRefusesAStaleSave) {
  auto version = [&](const std::string& path,
                     const std::function<boost::json::value(const boost::json::value&)>& pick) {
    return pick(json_of(call("GET", path, admin_)).at("result").at("value"))
        .at("version")
        .as_int64();
  };
  const auto policy = [](const std::string& name) {
    return [name](const boost::json::value& list) {
      for (const auto& p : list.as_array())
        if (p.at("name").as_string() == name) return p;
      return boost::json::value(boost::json::object{{"version", -1}});
    };
  };
  struct Case {
    std::string what, save, get;
    std::function<boost::json::value(const boost::json::value&)> pick;
  };
  const std::vector<Case> cases = {
      {"policy", "POST /policy/p1 scope=user&action=auditlog", "/policy/", policy("p1")},
      {"realm", "POST /realm/corp resolvers=local", "/realm/",
       [](const boost::json::value& v) { return v.at("corp"); }},
      {"resolver", "POST /resolver/local type=sql", "/resolver/",
       [](const boost::json::value& v) { return v.at("local"); }},
      {"user", "PUT /user/ user=alice&resolver=local&email=a@corp.example", "/user/?realm=corp",
       [](const boost::json::value& v) { return v.as_array().at(0); }},
  };
  ASSERT_EQ(call("POST", "/policy/p1", admin_, "scope=user&action=auditlog").status, 200);
  for (const auto& c : cases) {
    const auto space = c.save.find(' '), body = c.save.find(' ', space + 1);
    const auto method = c.save.substr(0, space);
    const auto path = c.save.substr(space + 1, body - space - 1);
    const auto params = c.save.substr(body + 1);
    const auto read = version(c.get, c.pick);
    ASSERT_GT(read, 0) << c.what;
    const auto first = call(method, path, admin_, params + "&version=" + std::to_string(read));
    EXPECT_EQ(first.status, 200) << c.what << ": " << first.body;
    EXPECT_EQ(version(c.get, c.pick), read + 1) << c.what;
    const auto stale = call(method, path, admin_, params + "&version=" + std::to_string(read));
    EXPECT_EQ(stale.status, 409) << c.what << ": " << stale.body;
    EXPECT_NE(stale.body.find("changed by someone else"), std::string::npos) << stale.body;
    EXPECT_EQ(version(c.get, c.pick), read + 1) << c.what << ": the stale save changed nothing";
    if (method == "POST") {
      const auto as_new = call(method, path, admin_, params + "&version=0");
      EXPECT_EQ(as_new.status, 409) << c.what;
      EXPECT_NE(as_new.body.find("exists already"), std::string::npos) << as_new.body;
    }
    EXPECT_EQ(call(method, path, admin_, params).status, 200) << c.what << ": no version, no check";
  }
  // What a stale save would have changed stays as the first save left it.
  EXPECT_EQ(call("POST", "/policy/p1", admin_, "scope=user&action=enable&version=1").status, 409);
  EXPECT_EQ(json_of(call("GET", "/policy/", admin_)).at("result").at("value").at(0).at("action"),
            "auditlog");
}

TEST_F(Identity, ResolverTypesTellAFormWhatEachNeeds) {
  const auto types = json_of(call("GET", "/resolver/types", admin_)).at("result").at("value");
  EXPECT_EQ(types.at("sql").at("editable"), true);
  EXPECT_TRUE(types.at("sql").at("settings").as_object().empty());
  const auto& ldap = types.at("ldap").at("settings");
  EXPECT_EQ(ldap.at("uri").at("required"), true);
  EXPECT_EQ(ldap.at("login_attribute").at("default"), "uid");
  EXPECT_EQ(ldap.at("attributes").at("default").at("email"), "mail");
  EXPECT_EQ(ldap.at("start_tls").at("default"), false);
  EXPECT_EQ(call("GET", "/resolver/types", login("alice", "alice-password")).status, 403);
}

// The built-in store's users exist nowhere else: deleting their resolver asks for a yes.
TEST_F(Identity, AnSqlResolverWithUsersGoesOnlyWithThemWhenAskedTo) {
  ASSERT_EQ(call("POST", "/resolver/extra", admin_, "type=sql").status, 200);
  ASSERT_EQ(
      call("POST", "/user/", admin_, "user=carol&resolver=extra&password=carol-password").status,
      200);
  const auto refused = call("DELETE", "/resolver/extra", admin_);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("holds 1 users"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("delete_users=1"), std::string::npos) << refused.body;
  EXPECT_EQ(call("POST", "/realm/spare", admin_, "resolvers=extra").status, 200)
      << "resolver and user are still there";
  ASSERT_EQ(call("DELETE", "/realm/spare", admin_).status, 200);
  EXPECT_EQ(call("DELETE", "/resolver/extra?delete_users=1", admin_).status, 200);
  ASSERT_EQ(call("POST", "/resolver/extra", admin_, "type=sql").status, 200);
  EXPECT_EQ(call("DELETE", "/resolver/extra", admin_).status, 200) << "an empty one goes at once";
}

// eduMFA's priority.<resolver>: a name found in two resolvers of a realm is the one of the
// resolver with the lower priority.
TEST_F(Identity, RealmResolversAreSearchedByPriority) {
  ASSERT_EQ(call("POST", "/resolver/second", admin_, "type=sql").status, 200);
  ASSERT_EQ(
      call("POST", "/user/", admin_, "user=alice&resolver=second&password=second-password").status,
      200);
  ASSERT_EQ(call("POST", "/realm/corp", admin_,
                 "resolvers=local,second&priority.second=1&priority.local=2")
                .status,
            200);
  const auto resolvers =
      json_of(call("GET", "/realm/", admin_)).at("result").at("value").at("corp").at("resolver");
  EXPECT_EQ(resolvers.at(0).at("name"), "second");
  EXPECT_EQ(resolvers.at(0).at("priority"), 1);
  EXPECT_EQ(resolvers.at(1).at("priority"), 2);
  EXPECT_FALSE(login("alice", "second-password", "corp").empty());
  EXPECT_TRUE(login("alice", "alice-password", "corp").empty());
  ASSERT_EQ(call("POST", "/realm/corp", admin_, "resolvers=local,second").status, 200);
  EXPECT_FALSE(login("alice", "alice-password", "corp").empty()) << "list order without priorities";
  EXPECT_EQ(call("POST", "/realm/corp", admin_, "resolvers=local&priority.second=1").status, 400);
  EXPECT_EQ(call("POST", "/realm/corp", admin_, "resolvers=local,local").status, 400);
}

// GET /user/?realm=* lists every realm's users the admin may list, a page at a time.
TEST_F(Identity, UsersOfAllRealmsComePaged) {
  ASSERT_EQ(call("POST", "/resolver/second", admin_, "type=sql").status, 200);
  ASSERT_EQ(
      call("POST", "/user/", admin_, "user=carol&resolver=second&password=carol-password").status,
      200);
  ASSERT_EQ(call("POST", "/realm/branch", admin_, "resolvers=second").status, 200);
  auto page = [&](int number) {
    auto r = call("GET", "/user/?realm=*&page_size=2&page=" + std::to_string(number), admin_);
    EXPECT_EQ(r.status, 200) << r.body;
    return json_of(r).at("result").at("value").as_object();
  };
  const auto first = page(1), second = page(2);
  EXPECT_EQ(first.at("count"), 3);
  ASSERT_EQ(first.at("users").as_array().size(), 2u);
  EXPECT_EQ(first.at("users").at(0).at("realm"), "branch");
  EXPECT_EQ(first.at("users").at(0).at("username"), "carol");
  EXPECT_EQ(first.at("users").at(1).at("username"), "alice");
  EXPECT_EQ(first.at("next"), 2);
  ASSERT_EQ(second.at("users").as_array().size(), 1u);
  EXPECT_EQ(second.at("users").at(0).at("username"), "bob");
  EXPECT_TRUE(second.at("next").is_null());
  // An admin limited to one realm sees that realm's users only.
  ASSERT_EQ(
      call("POST", "/policy/all", admin_, "scope=admin&action=userlist,policywrite&adminuser=admin")
          .status,
      200);
  ASSERT_EQ(call("POST", "/policy/branch", admin_,
                 "scope=admin&action=userlist&realm=branch&adminuser=helpdesk")
                .status,
            200);
  const auto helpdesk = login("helpdesk", "helpdesk-password");
  const auto limited = json_of(call("GET", "/user/?realm=*", helpdesk));
  EXPECT_EQ(limited.at("result").at("value").at("count"), 1);
}

}  // namespace
}  // namespace tessera::testing
