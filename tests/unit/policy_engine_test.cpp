#include "server/policy/policy_engine.hpp"

#include <gtest/gtest.h>

namespace tessera::policy {
namespace {

Policy make(const std::string& scope, const std::string& actions, const std::string& admins = "",
            const std::string& realms = "", const std::string& clients = "", int priority = 1) {
  std::string name = "p";
  name += std::to_string(priority);
  return parse_policy({name, scope, actions, realms, "", "", admins, clients, true, priority});
}

TEST(PolicyEngine, WithoutPoliciesEverythingIsAllowed) {
  PolicyEngine engine({});
  EXPECT_TRUE(engine.allowed(Scope::admin, "auditlog", {"admin"}));
  EXPECT_TRUE(engine.allowed(Scope::user, "delete", {"", "alice", "corp"}));
}

TEST(PolicyEngine, OnePolicyRestrictsItsScope) {
  PolicyEngine engine({make("admin", "auditlog, userlist", "helpdesk", "corp")});
  EXPECT_TRUE(engine.allowed(Scope::admin, "userlist", {"helpdesk", "", "corp"}));
  EXPECT_FALSE(engine.allowed(Scope::admin, "adduser", {"helpdesk", "", "corp"}));
  EXPECT_FALSE(engine.allowed(Scope::admin, "userlist", {"helpdesk", "", "other"}));
  EXPECT_FALSE(engine.allowed(Scope::admin, "userlist", {"admin", "", "corp"}));
  EXPECT_TRUE(engine.allowed(Scope::user, "delete", {"", "alice", "corp"}))
      << "other scopes stay open";
}

TEST(PolicyEngine, ValuesComeFromTheLowestPriorityNumber) {
  PolicyEngine engine({make("authentication", "otppin=tokenpin", "", "", "", 5),
                       make("authentication", "otppin=userstore", "", "corp", "", 2)});
  EXPECT_EQ(engine.value(Scope::authentication, "otppin", {"", "alice", "corp"}), "userstore");
  EXPECT_EQ(engine.value(Scope::authentication, "otppin", {"", "bob", "other"}), "tokenpin");
  EXPECT_FALSE(engine.value(Scope::authentication, "max_fail", {}));
}

TEST(PolicyEngine, MatchesClientNetworks) {
  EXPECT_TRUE(in_network("10.1.2.3", "10.0.0.0/8"));
  EXPECT_FALSE(in_network("11.1.2.3", "10.0.0.0/8"));
  EXPECT_TRUE(in_network("192.168.1.7", "192.168.1.7"));
  EXPECT_TRUE(in_network("192.168.1.130", "192.168.1.128/25"));
  EXPECT_FALSE(in_network("192.168.1.12", "192.168.1.128/25"));
  EXPECT_TRUE(in_network("2001:db8::1", "2001:db8::/32"));
  EXPECT_FALSE(in_network("10.0.0.1", "::/0")) << "families differ";
  EXPECT_FALSE(is_network("10.0.0.0/33"));
  EXPECT_FALSE(is_network("example.org"));
  PolicyEngine engine({make("admin", "auditlog", "", "", "10.0.0.0/8")});
  EXPECT_TRUE(engine.allowed(Scope::admin, "auditlog", {"admin", "", "", "", "10.9.9.9"}));
  EXPECT_FALSE(engine.allowed(Scope::admin, "auditlog", {"admin", "", "", "", "127.0.0.1"}));
}

TEST(PolicyEngine, ParsingRefusesWhatItDoesNotKnow) {
  EXPECT_THROW(make("galaxy", "auditlog"), PolicyError);
  EXPECT_THROW(make("admin", "fly"), PolicyError);
  EXPECT_THROW(make("admin", ""), PolicyError);
  EXPECT_NO_THROW(make("user", "enrollHOTP, enrollCERTIFICATE"));
  EXPECT_THROW(make("enrollment", "enrollHOTP"), PolicyError);
}

}  // namespace
}  // namespace tessera::policy
