// Event handler conditions: checked at creation, evaluated per token.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "server/events/event_conditions.hpp"

namespace tessera::events {
namespace {

const boost::json::object kEvent{{"event", "validate_check"},
                                 {"client_ip", "10.1.2.3"},
                                 {"user", {{"username", "alice"}, {"realm", "corp"}}},
                                 {"logged_in", {{"role", "admin"}, {"username", "admin"}}},
                                 {"result", {{"value", false}}}};
const boost::json::object kToken{{"serial", "TOTP00AB"},
                                 {"type", "totp"},
                                 {"rollout_state", "enrolled"},
                                 {"old_rollout_state", "pending"},
                                 {"user", "bob"},
                                 {"realm", "sales"},
                                 {"failcount", 3},
                                 {"maxfail", 3},
                                 {"info", {{"hashlib", "sha1"}}}};

bool holds(const boost::json::object& conditions, const boost::json::object* token = &kToken) {
  check_conditions(conditions);
  return conditions_hold(conditions, kEvent, token);
}

TEST(EventConditions, EachConditionComparesWhatItNames) {
  EXPECT_TRUE(holds({}));
  EXPECT_TRUE(holds({{"tokentype", "hotp, TOTP"}}));
  EXPECT_FALSE(holds({{"tokentype", "hotp"}}));
  EXPECT_TRUE(holds({{"serial", "^TOTP00"}}));
  EXPECT_FALSE(holds({{"serial", "^HOTP"}}));
  EXPECT_TRUE(holds({{"rollout_state", "enrolled"}, {"old_rollout_state", "pending"}}));
  EXPECT_FALSE(holds({{"old_rollout_state", "review"}}));
  EXPECT_TRUE(holds({{"failcounter", ">=3"}}));
  EXPECT_FALSE(holds({{"failcounter", "<3"}}));
  EXPECT_TRUE(holds({{"failcounter", "3"}}));
  EXPECT_TRUE(holds({{"token_locked", "true"}, {"token_has_owner", "true"}}));
  EXPECT_TRUE(holds({{"tokeninfo", "hashlib==sha1"}}));
  EXPECT_FALSE(holds({{"tokeninfo", "hashlib!=sha1"}}));
  EXPECT_TRUE(holds({{"result_value", "false"}, {"logged_in_user", "admin"}}));
  EXPECT_TRUE(holds({{"client_ip", "192.168.0.0/16, 10.0.0.0/8"}}));
  EXPECT_FALSE(holds({{"client_ip", "192.168.0.0/16"}}));
  // With a token, realm and user are the owner's; without, the request's user's.
  EXPECT_TRUE(holds({{"realm", "sales"}, {"user", "bob"}}));
  EXPECT_TRUE(holds({{"realm", "corp"}, {"user", "alice"}}, nullptr));
}

TEST(EventConditions, ATokenConditionNeverHoldsWithoutAToken) {
  EXPECT_FALSE(holds({{"tokentype", "totp"}}, nullptr));
  EXPECT_FALSE(holds({{"failcounter", ">=0"}}, nullptr));
  EXPECT_TRUE(holds({{"result_value", "false"}}, nullptr));
}

TEST(EventConditions, MalformedConditionsAreRefusedWithTheirName) {
  const std::pair<boost::json::object, const char*> cases[] = {
      {{{"colour", "red"}}, "unknown condition 'colour'"},
      {{{"failcounter", "lots"}}, "failcounter takes a comparison"},
      {{{"serial", "(["}}, "serial: '([' is not a regular expression"},
      {{{"token_locked", "maybe"}}, "token_locked takes true or false"},
      {{{"tokeninfo", "hashlib"}}, "tokeninfo takes 'key==value'"},
      {{{"client_ip", "the office"}}, "is not an address or network"},
      {{{"logged_in_user", "root"}}, "logged_in_user takes admin or user"},
  };
  for (const auto& [conditions, message] : cases) {
    try {
      check_conditions(conditions);
      ADD_FAILURE() << message;
    } catch (const ConditionError& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace tessera::events
