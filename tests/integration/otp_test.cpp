// HOTP and TOTP through the real server: the RFC test vectors and oathtool's values over HTTP,
// replay and window limits, the fail counter, PIN modes, challenge-response, resync, who may
// manage which token, and that seeds are sealed at rest.
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <soci/soci.h>

#include "tests/integration/token_fixture.hpp"

namespace tessera::testing {
namespace {

const char* kAlice = "user=alice&realm=corp";

std::string oathtool(const std::string& args) {
  return shell_output("oathtool " + args);
}

class Otp : public TokenFixture {
 protected:
  void SetUp() override { start(); }

  boost::json::object tokens(const std::string& token, const std::string& query = "") {
    auto r = api_->call("GET", "/token/" + query, token);
    EXPECT_EQ(r.status, 200) << r.body;
    return json_of(r).at("result").at("value").as_object();
  }
};

TEST_F(Otp, Rfc4226VectorsPassThroughTheApi) {
  enroll("type=hotp&user=alice&realm=corp&serial=RFC4226&otpkey=" + kSeed20);
  const char* values[] = {"755224", "287082", "359152", "969429", "338314",
                          "254676", "287922", "162583", "399871", "520489"};
  for (const char* value : values) {
    auto c = api_->check(std::string(kAlice) + "&pass=" + value);
    EXPECT_TRUE(c.value) << value << ": " << c.message;
    EXPECT_EQ(c.authentication, "ACCEPT");
    EXPECT_EQ(c.message, "matching 1 tokens");
  }
  // Replays of the last and of an older value.
  for (const char* value : {values[9], values[0]}) {
    auto c = api_->check(std::string(kAlice) + "&pass=" + value);
    EXPECT_FALSE(c.value) << value;
    EXPECT_EQ(c.authentication, "REJECT");
    EXPECT_EQ(c.message, "wrong otp value");
  }
}

TEST_F(Otp, OathtoolValuesAreAcceptedForEveryHashAndLength) {
  const std::pair<const char*, std::string> hashes[] = {
      {"sha1", kSeed20}, {"sha256", kSeed32}, {"sha512", kSeed64}};
  for (const auto& [hash, seed] : hashes) {
    for (const char* digits : {"6", "8"}) {
      const std::string serial = std::string("T") + hash + "D" + digits;
      enroll("type=totp&serial=" + serial + "&hashlib=" + hash + "&otplen=" + digits +
             "&otpkey=" + seed);
      std::string mode = hash;
      for (auto& ch : mode) ch = static_cast<char>(std::toupper(ch));
      const auto otp = oathtool("--totp=" + mode + " -d " + digits + " " + seed);
      ASSERT_EQ(otp.size(), std::string(digits) == "8" ? 8u : 6u);
      auto c = api_->check("serial=" + serial + "&pass=" + otp);
      EXPECT_TRUE(c.value) << serial << " " << otp << ": " << c.message;
      EXPECT_FALSE(api_->check("serial=" + serial + "&pass=" + otp).value)
          << serial << ": a replayed value is rejected";
      const auto later =
          oathtool("--totp=" + mode + " -d " + digits + " -N 'now + 10 minutes' " + seed);
      EXPECT_FALSE(api_->check("serial=" + serial + "&pass=" + later).value)
          << serial << ": a value outside the window is rejected";
    }
  }
  for (const char* digits : {"6", "8"}) {
    const std::string serial = std::string("HOTPD") + digits;
    enroll("type=hotp&serial=" + serial + "&otplen=" + digits + "&otpkey=" + kSeed20);
    auto at = [&](int counter) {
      return oathtool("--hotp -d " + std::string(digits) + " -c " + std::to_string(counter) + " " +
                      kSeed20);
    };
    EXPECT_TRUE(api_->check("serial=" + serial + "&pass=" + at(3)).value) << "inside the window";
    EXPECT_FALSE(api_->check("serial=" + serial + "&pass=" + at(2)).value) << "a lower counter";
    EXPECT_FALSE(api_->check("serial=" + serial + "&pass=" + at(40)).value)
        << "beyond the look-ahead window";
    EXPECT_TRUE(api_->check("serial=" + serial + "&pass=" + at(4)).value);
  }
}

TEST_F(Otp, TotpLearnsTheDriftOfTheTokensClock) {
  enroll("type=totp&user=alice&realm=corp&serial=DRIFT&otpkey=" + kSeed20);
  // The token's clock runs 120 s ahead: inside the 180 s window, so accepted, and learned.
  EXPECT_TRUE(api_->check(std::string(kAlice) +
                          "&pass=" + oathtool("--totp -N 'now + 120 seconds' " + kSeed20))
                  .value);
  const auto info = json_of(api_->call("GET", "/token/?serial=DRIFT", admin_))
                        .at("result")
                        .at("value")
                        .at("tokens")
                        .at(0)
                        .at("info")
                        .as_object();
  const int shift = std::stoi(std::string(info.at("timeShift").as_string()));
  EXPECT_GE(shift, 90);  // 4 steps, less one if a step boundary passed meanwhile
  EXPECT_LE(shift, 150);
  // 270 s ahead is outside a window around our clock, inside the one around the learned drift.
  EXPECT_TRUE(api_->check(std::string(kAlice) +
                          "&pass=" + oathtool("--totp -N 'now + 270 seconds' " + kSeed20))
                  .value);
  // A value from our own clock is now steps behind the token's last one: a lower counter.
  EXPECT_FALSE(api_->check(std::string(kAlice) + "&pass=" + oathtool("--totp " + kSeed20)).value);
}

TEST_F(Otp, VerifyEnrollmentHoldsTheTokenUntilItsFirstValue) {
  set_policy("verify", "scope=enrollment&action=verify_enrollment=hotp%20totp");
  auto made = enroll("type=hotp&user=alice&realm=corp&serial=VER1&otpkey=" + kSeed20);
  EXPECT_EQ(made.at("detail").at("rollout_state"), "verify");
  EXPECT_TRUE(made.at("detail").as_object().contains("verify"));
  // Not usable yet, even with the right value.
  auto early = api_->check(std::string(kAlice) + "&pass=755224");
  EXPECT_FALSE(early.value);
  auto wrong = api_->call("POST", "/token/init", admin_, "serial=VER1&verify=000000");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_NE(wrong.body.find("not the token's current value"), std::string::npos) << wrong.body;
  // The owner shows the first value: enrolled; the next value then logs in.
  const auto alice = api_->login("alice", "alice-password", "corp");
  auto right = api_->call("POST", "/token/init", alice, "serial=VER1&verify=755224");
  ASSERT_EQ(right.status, 200) << right.body;
  EXPECT_EQ(json_of(right).at("detail").at("rollout_state"), "enrolled");
  EXPECT_FALSE(api_->check(std::string(kAlice) + "&pass=755224").value) << "used up";
  EXPECT_TRUE(api_->check(std::string(kAlice) + "&pass=287082").value);
  EXPECT_EQ(api_->call("POST", "/token/init", alice, "serial=VER1&verify=359152").status, 400)
      << "enrolled already";
  // Someone else's token: not found.
  enroll("type=totp&user=bob&realm=corp&serial=VER2&genkey=1");
  EXPECT_EQ(api_->call("POST", "/token/init", alice, "serial=VER2&verify=123456").status, 404);
}

TEST_F(Otp, AClientMayAskForVerificationButNotOptOutOfThePolicy) {
  const auto alice = api_->login("alice", "alice-password", "corp");
  auto asked = api_->call("POST", "/token/init", alice,
                          "type=hotp&serial=ASK1&verify_enrollment=1&otpkey=" + kSeed20);
  ASSERT_EQ(asked.status, 200) << asked.body;
  EXPECT_EQ(json_of(asked).at("detail").at("rollout_state"), "verify");
  EXPECT_FALSE(api_->check(std::string(kAlice) + "&pass=755224").value) << "held until shown";
  EXPECT_EQ(api_->call("POST", "/token/init", alice, "serial=ASK1&verify=755224").status, 200);
  EXPECT_TRUE(api_->check(std::string(kAlice) + "&pass=287082").value);
  set_policy("verify", "scope=enrollment&action=verify_enrollment=totp");
  auto refused = enroll("type=totp&user=bob&realm=corp&serial=ASK2&genkey=1&verify_enrollment=0");
  EXPECT_EQ(refused.at("detail").at("rollout_state"), "verify");
  EXPECT_EQ(
      api_->call("POST", "/token/init", alice, "type=hotp&genkey=1&verify_enrollment=maybe").status,
      400);
}

TEST_F(Otp, ChecksTakeJsonBodiesToo) {
  enroll("type=hotp&user=alice&realm=corp&serial=JSON1&otpkey=" + kSeed20);
  TestHttpClient client;
  auto r =
      client.post(api_->url() + "/validate/check",
                  R"({"user": "alice", "realm": "corp", "pass": "755224"})", "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r).at("result").at("authentication"), "ACCEPT");
}

TEST_F(Otp, AfterMaxfailWrongValuesEvenTheRightOneIsRejectedUntilReset) {
  set_policy("lock", "scope=authentication&action=max_fail=3");
  enroll("type=hotp&user=alice&realm=corp&serial=LOCK1&otpkey=" + kSeed20);
  for (int i = 0; i < 3; ++i) {
    auto c = api_->check(std::string(kAlice) + "&pass=000000");
    EXPECT_EQ(c.message, "wrong otp value");
  }
  auto locked = api_->check(std::string(kAlice) + "&pass=755224");
  EXPECT_FALSE(locked.value);
  EXPECT_EQ(locked.message, "Failcounter exceeded");
  const auto listed = tokens(admin_, "?serial=LOCK1");
  EXPECT_EQ(listed.at("tokens").at(0).at("failcount"), 3);
  EXPECT_EQ(listed.at("tokens").at(0).at("failcounter_exceeded"), true);

  ASSERT_EQ(api_->call("POST", "/token/reset/LOCK1", admin_).status, 200);
  EXPECT_TRUE(api_->check(std::string(kAlice) + "&pass=755224").value);

  // With lockout_seconds the lock ends by itself.
  set_policy("unlock", "scope=authentication&action=lockout_seconds=1");
  for (int i = 0; i < 3; ++i) api_->check(std::string(kAlice) + "&pass=000000");
  EXPECT_EQ(api_->check(std::string(kAlice) + "&pass=287082").message, "Failcounter exceeded");
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_TRUE(api_->check(std::string(kAlice) + "&pass=287082").value);
}

TEST_F(Otp, PinComesFromTheTokenTheUserStoreOrNowhereAsPolicySays) {
  enroll("type=hotp&user=alice&realm=corp&serial=PIN1&pin=4711&otpkey=" + kSeed20);
  EXPECT_TRUE(api_->check(std::string(kAlice) + "&pass=4711755224").value);
  auto wrong_pin = api_->check(std::string(kAlice) + "&pass=9999287082");
  EXPECT_FALSE(wrong_pin.value);
  EXPECT_EQ(wrong_pin.message, "wrong otp pin");
  EXPECT_FALSE(api_->check(std::string(kAlice) + "&pass=287082").value) << "the PIN is required";
  EXPECT_TRUE(api_->check(std::string(kAlice) + "&pass=4711287082").value);

  set_policy("userstore", "scope=authentication&action=otppin=userstore");
  EXPECT_FALSE(api_->check(std::string(kAlice) + "&pass=4711359152").value);
  EXPECT_TRUE(api_->check(std::string(kAlice) + "&pass=alice-password969429").value);

  set_policy("userstore", "scope=authentication&action=otppin=none");
  EXPECT_TRUE(api_->check(std::string(kAlice) + "&pass=338314").value);
  EXPECT_FALSE(api_->check(std::string(kAlice) + "&pass=4711254676").value);
}

TEST_F(Otp, ALockedTokenDoesNotTellRightPinsFromWrongOnes) {
  set_policy("lock", "scope=authentication&action=max_fail=2");
  enroll("type=hotp&user=alice&realm=corp&serial=LOCKPIN&pin=4711&otpkey=" + kSeed20);
  api_->check(std::string(kAlice) + "&pass=4711000000");
  api_->check(std::string(kAlice) + "&pass=4711000000");
  EXPECT_EQ(api_->check(std::string(kAlice) + "&pass=9999755224").message, "Failcounter exceeded");
  EXPECT_EQ(api_->check(std::string(kAlice) + "&pass=4711755224").message, "Failcounter exceeded");
}

TEST_F(Otp, ASerialGivenWithAUserMustBeThatUsersToken) {
  enroll("type=hotp&user=bob&realm=corp&serial=BOBS&otpkey=" + kSeed20);
  TestHttpClient client;
  auto r = client.post(api_->url() + "/validate/check",
                       std::string(kAlice) + "&serial=BOBS&pass=755224", kForm);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Given serial does not belong to given user!"), std::string::npos);
  EXPECT_TRUE(api_->check("user=bob&realm=corp&serial=BOBS&pass=755224").value)
      << "the value was not used up by the refused request";
}

TEST_F(Otp, ATokenThatCannotBeCheckedLeavesTheOthersWorking) {
  enroll("type=hotp&user=alice&realm=corp&serial=BROKEN&otpkey=" + kSeed20);
  enroll("type=totp&user=alice&realm=corp&serial=FINE&otpkey=" + kSeed32);
  {
    soci::session db("sqlite3", "db=" + (server_->dir() / "data" / "tessera.db").string());
    db << "PRAGMA busy_timeout=10000";  // the server's audit writer may hold the lock a moment
    db << "UPDATE token SET sealed_secret = 'v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' WHERE "
          "serial = 'BROKEN'";
  }
  const auto otp = oathtool("--totp " + kSeed32);
  auto c = api_->check(std::string(kAlice) + "&pass=" + otp);
  EXPECT_TRUE(c.value) << c.message;
}

TEST_F(Otp, GenkeyTrueMakesASeedLikeGenkeyOne) {
  const auto body = enroll("type=hotp&genkey=true&serial=GENTRUE");
  const std::string seed(body.at("detail").at("otpkey").at("value").as_string());
  ASSERT_EQ(seed.size(), 7u + 40u);
  EXPECT_TRUE(
      api_->check("serial=GENTRUE&pass=" + oathtool("--hotp -c 0 " + seed.substr(7))).value);
}

TEST_F(Otp, APinAloneOpensAChallengeThatTheNextOtpAnswers) {
  set_policy("cr", "scope=authentication&action=challenge_response=hotp%20totp");
  enroll("type=hotp&user=alice&realm=corp&serial=CR1&pin=4711&otpkey=" + kSeed20);
  auto first = api_->check(std::string(kAlice) + "&pass=4711");
  EXPECT_FALSE(first.value);
  EXPECT_EQ(first.authentication, "CHALLENGE");
  EXPECT_EQ(first.message, "please enter otp: ");
  ASSERT_EQ(first.transaction_id.size(), 20u);
  auto wrong =
      api_->check(std::string(kAlice) + "&transaction_id=" + first.transaction_id + "&pass=000000");
  EXPECT_EQ(wrong.message, "Response did not match the challenge.");
  auto second =
      api_->check(std::string(kAlice) + "&transaction_id=" + first.transaction_id + "&pass=755224");
  EXPECT_TRUE(second.value);
  EXPECT_EQ(second.message, "Found matching challenge");
  EXPECT_FALSE(
      api_->check(std::string(kAlice) + "&transaction_id=" + first.transaction_id + "&pass=287082")
          .value)
      << "an answered challenge is closed";

  // An admin triggers a challenge without knowing the PIN.
  auto r = api_->call("POST", "/validate/triggerchallenge", admin_, kAlice);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto body = json_of(r);
  EXPECT_EQ(body.at("result").at("value"), 1);
  const std::string tx(body.at("detail").at("transaction_id").as_string());
  EXPECT_EQ(body.at("detail").at("multi_challenge").at(0).at("serial"), "CR1");
  EXPECT_TRUE(api_->check(std::string(kAlice) + "&transaction_id=" + tx + "&pass=287082").value);
  const auto alice = api_->login("alice", "alice-password", "corp");
  EXPECT_EQ(api_->call("POST", "/validate/triggerchallenge", alice, kAlice).status, 403);
}

TEST_F(Otp, ResyncFindsTwoConsecutiveValuesFarAhead) {
  enroll("type=hotp&user=alice&realm=corp&serial=SYNC1&otpkey=" + kSeed20);
  auto at = [](int counter) {
    return oathtool("--hotp -c " + std::to_string(counter) + " " + kSeed20);
  };
  EXPECT_FALSE(api_->check(std::string(kAlice) + "&pass=" + at(52)).value);
  auto bad = api_->call("POST", "/token/resync", admin_,
                        "serial=SYNC1&otp1=" + at(50) + "&otp2=" + at(52));
  EXPECT_EQ(json_of(bad).at("result").at("value"), false) << "not consecutive";
  auto r = api_->call("POST", "/token/resync", admin_,
                      "serial=SYNC1&otp1=" + at(50) + "&otp2=" + at(51));
  EXPECT_EQ(json_of(r).at("result").at("value"), true) << r.body;
  EXPECT_FALSE(api_->check(std::string(kAlice) + "&pass=" + at(51)).value) << "already used";
  EXPECT_TRUE(api_->check(std::string(kAlice) + "&pass=" + at(52)).value);
}

TEST_F(Otp, UsersEnrollAndManageOnlyTheirOwnTokens) {
  const auto alice = api_->login("alice", "alice-password", "corp");
  const auto bob = api_->login("bob", "bob-password", "corp");
  ASSERT_FALSE(alice.empty());
  auto r = api_->call("POST", "/token/init", alice, "type=totp&genkey=1&description=phone");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto detail = json_of(r).at("detail").as_object();
  const std::string serial(detail.at("serial").as_string());
  const std::string uri(detail.at("googleurl").at("value").as_string());
  EXPECT_TRUE(uri.starts_with("otpauth://totp/Tessera:alice@corp?secret=")) << uri;
  EXPECT_TRUE(std::string(detail.at("googleurl").at("img").as_string())
                  .starts_with("data:image/svg+xml;base64,"));
  const std::string seed_hex(detail.at("otpkey").at("value").as_string());
  ASSERT_TRUE(seed_hex.starts_with("seed://"));
  const auto hex = seed_hex.substr(7);
  EXPECT_EQ(hex.size(), 40u);

  // The seed is shown once: never in a listing.
  auto mine = api_->call("GET", "/token/", alice);
  EXPECT_EQ(json_of(mine).at("result").at("value").at("count"), 1);
  EXPECT_EQ(mine.body.find(hex), std::string::npos);
  EXPECT_EQ(mine.body.find(std::string(detail.at("otpkey").at("value_b32").as_string())),
            std::string::npos);
  EXPECT_TRUE(api_->check(std::string(kAlice) + "&pass=" + oathtool("--totp " + hex)).value);

  // Bob sees none of it and cannot touch it.
  EXPECT_EQ(json_of(api_->call("GET", "/token/?serial=" + serial, bob))
                .at("result")
                .at("value")
                .at("count"),
            0);
  EXPECT_EQ(api_->call("POST", "/token/disable/" + serial, bob).status, 404);
  EXPECT_EQ(api_->call("DELETE", "/token/" + serial, bob).status, 404);
  EXPECT_EQ(api_->call("POST", "/token/setpin", bob, "serial=" + serial + "&otppin=1").status, 404);
  EXPECT_EQ(api_->call("POST", "/token/init", bob, "type=hotp&genkey=1&user=alice").status, 403);
  EXPECT_EQ(api_->call("POST", "/token/assign", bob, "serial=" + serial + "&user=bob").status, 403);

  // Naming someone else is refused, never redirected to her own token or record.
  EXPECT_EQ(api_->call("POST", "/token/disable", alice, "user=bob&realm=corp").status, 403);
  EXPECT_EQ(api_->call("POST", "/token/disable", alice, "serial=" + serial + "&realm=other").status,
            403);
  EXPECT_EQ(token(serial).at("active"), true) << "nothing changed";

  // Alice disables and enables her token.
  EXPECT_EQ(json_of(api_->call("POST", "/token/disable/" + serial, alice)).at("result").at("value"),
            1);
  EXPECT_EQ(api_->check(std::string(kAlice) + "&pass=123456").message, "Token is disabled");
  EXPECT_EQ(json_of(api_->call("POST", "/token/enable/" + serial, alice)).at("result").at("value"),
            1);
  // Resetting one's own fail counter needs a user policy that grants it.
  EXPECT_EQ(api_->call("POST", "/token/reset/" + serial, alice).status, 403);
  set_policy("selfreset", "scope=user&action=reset,delete&user=alice");
  EXPECT_EQ(api_->call("POST", "/token/reset/" + serial, alice).status, 200);
  // A user policy can take rights away.
  set_policy("nodelete", "scope=user&action=disable,enable");
  set_policy("selfreset", "scope=user&action=reset&user=alice");
  EXPECT_EQ(api_->call("DELETE", "/token/" + serial, alice).status, 403);
  EXPECT_EQ(api_->call("POST", "/token/init", alice, "type=hotp&genkey=1").status, 403);
}

TEST_F(Otp, AdminsListWithFiltersAndPagesAndManageTheLifeCycle) {
  enroll("type=hotp&user=alice&realm=corp&serial=HOTPA1&otpkey=" + kSeed20);
  enroll("type=totp&user=alice&realm=corp&serial=TOTPA2&otpkey=" + kSeed20);
  enroll("type=hotp&serial=SPARE3&otpkey=" + kSeed20);
  EXPECT_EQ(tokens(admin_).at("count"), 3);
  EXPECT_EQ(tokens(admin_, "?type=totp").at("count"), 1);
  EXPECT_EQ(tokens(admin_, "?serial=*A*").at("count"), 3);
  EXPECT_EQ(tokens(admin_, "?serial=HOTP*").at("count"), 1);
  EXPECT_EQ(tokens(admin_, "?user=alice&realm=corp").at("count"), 2);
  EXPECT_EQ(tokens(admin_, "?assigned=0").at("count"), 1);
  // Another alice in another realm: a search by name alone finds the tokens of both.
  ASSERT_EQ(api_->call("POST", "/resolver/branch", admin_, "type=sql").status, 200);
  ASSERT_EQ(api_->call("POST", "/realm/branch", admin_, "resolvers=branch").status, 200);
  ASSERT_EQ(
      api_->call("POST", "/user/", admin_, "user=alice&resolver=branch&password=other-pw").status,
      200);
  enroll("type=hotp&user=alice&realm=branch&serial=HOTPB1&otpkey=" + kSeed20);
  EXPECT_EQ(tokens(admin_, "?user=alice").at("count"), 3);
  EXPECT_EQ(tokens(admin_, "?user=alice&realm=branch").at("count"), 1);
  EXPECT_EQ(tokens(admin_, "?user=carol").at("count"), 0);
  ASSERT_EQ(api_->call("DELETE", "/token/HOTPB1", admin_).status, 200);
  const auto page = tokens(admin_, "?pagesize=2&page=2");
  EXPECT_EQ(page.at("tokens").as_array().size(), 1u);
  EXPECT_EQ(page.at("prev"), 1);
  EXPECT_TRUE(page.at("next").is_null());
  EXPECT_EQ(tokens(admin_, "?pagesize=2").at("next"), 2);
  // Keyset pages: a full page names its last serial, the next page starts after it, filters
  // still apply, and the count is the filter's.
  const auto first = tokens(admin_, "?pagesize=2");
  EXPECT_EQ(first.at("next_after"), "SPARE3");  // HOTPA1, SPARE3 (TOTPA2 follows)
  const auto second = tokens(admin_, "?pagesize=2&after=SPARE3");
  ASSERT_EQ(second.at("tokens").as_array().size(), 1u);
  EXPECT_EQ(second.at("tokens").at(0).at("serial"), "TOTPA2");
  EXPECT_FALSE(second.contains("next_after"));
  EXPECT_EQ(second.at("count"), 3);
  const auto hotp_after = tokens(admin_, "?type=hotp&after=HOTPA1");
  ASSERT_EQ(hotp_after.at("tokens").as_array().size(), 1u);
  EXPECT_EQ(hotp_after.at("tokens").at(0).at("serial"), "SPARE3");

  // Assign the spare to bob with a PIN; it then checks for bob only.
  auto r = api_->call("POST", "/token/assign", admin_, "serial=SPARE3&user=bob&realm=corp&pin=12");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(
      api_->call("POST", "/token/assign", admin_, "serial=SPARE3&user=alice&realm=corp").status,
      400)
      << "a token has one owner";
  EXPECT_TRUE(api_->check("user=bob&realm=corp&pass=12755224").value);
  ASSERT_EQ(api_->call("POST", "/token/unassign", admin_, "serial=SPARE3").status, 200);
  EXPECT_EQ(api_->check("user=bob&realm=corp&pass=12287082").message,
            "The user has no tokens assigned");

  // Revoked is final.
  EXPECT_EQ(json_of(api_->call("POST", "/token/revoke/HOTPA1", admin_)).at("result").at("value"),
            1);
  EXPECT_EQ(json_of(api_->call("POST", "/token/enable/HOTPA1", admin_)).at("result").at("value"),
            0);
  EXPECT_EQ(api_->call("POST", "/token/setpin/HOTPA1", admin_, "otppin=1").status, 400);
  const auto revoked = tokens(admin_, "?serial=HOTPA1").at("tokens").at(0);
  EXPECT_EQ(revoked.at("revoked"), true);
  EXPECT_EQ(revoked.at("active"), false);

  // Realm-limited admin policies apply to tokens too.
  set_policy("root", "scope=admin&action=policywrite");
  set_policy("helpdesk", "scope=admin&action=tokenlist,delete&realm=other");
  EXPECT_EQ(api_->call("GET", "/token/?realm=corp", admin_).status, 403);
  EXPECT_EQ(api_->call("DELETE", "/token/TOTPA2", admin_).status, 403);
  set_policy("helpdesk", "scope=admin&action=tokenlist,delete&realm=corp");
  EXPECT_EQ(json_of(api_->call("DELETE", "/token/TOTPA2", admin_)).at("result").at("value"), 1);
  EXPECT_EQ(api_->call("DELETE", "/token/TOTPA2", admin_).status, 404);
}

TEST_F(Otp, OnlyAdminsAllowedToEnrollOnBehalfMakeTokensForUsers) {
  set_policy("root", "scope=admin&action=policywrite,tokenlist,auditlog,enrollHOTP,assign");
  const auto for_alice = "type=hotp&user=alice&realm=corp&genkey=1";
  const auto refused = api_->call("POST", "/token/init", admin_, for_alice);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.body.find("'enrollonbehalf'"), std::string::npos) << refused.body;
  EXPECT_EQ(tokens(admin_, "?user=alice&realm=corp").at("count"), 0) << "nothing was made";
  // A token without an owner is the admin's own business; handing it over is not.
  const auto spare =
      std::string(enroll("type=hotp&genkey=1").at("detail").at("serial").as_string());
  EXPECT_EQ(
      api_->call("POST", "/token/assign", admin_, "serial=" + spare + "&user=alice&realm=corp")
          .status,
      403);
  EXPECT_FALSE(token(spare).at("username").as_string() == "alice");
  // The refused attempts name who asked and for whom.
  auto audit = json_of(api_->call("GET", "/audit/?action=POST%20/token/init&success=0", admin_));
  const auto& row = audit.at("result").at("value").at("auditdata").at(0);
  EXPECT_EQ(row.at("administrator"), "admin");
  EXPECT_EQ(row.at("user"), "alice");
  EXPECT_EQ(row.at("realm"), "corp");
  // With the right in alice's realm both work, and the rows name both.
  set_policy("helpdesk", "scope=admin&action=enrollonbehalf&realm=corp");
  const auto made = api_->call("POST", "/token/init", admin_, for_alice);
  ASSERT_EQ(made.status, 200) << made.body;
  EXPECT_EQ(
      api_->call("POST", "/token/assign", admin_, "serial=" + spare + "&user=alice&realm=corp")
          .status,
      200);
  EXPECT_EQ(tokens(admin_, "?user=alice&realm=corp").at("count"), 2);
  audit = json_of(api_->call("GET", "/audit/?action=POST%20/token/init&success=1", admin_));
  const auto& last = audit.at("result").at("value").at("auditdata").at(0);  // newest first
  EXPECT_EQ(last.at("administrator"), "admin");
  EXPECT_EQ(last.at("user"), "alice");
}

TEST_F(Otp, AuditRowsNameWhoAskedApartFromWhoseTokenItWas) {
  set_policy("selfservice", "scope=user&action=enable,disable,auditlog");
  const auto alice = api_->login("alice", "alice-password", "corp");
  const auto bob = api_->login("bob", "bob-password", "corp");
  const auto serial = std::string(
      enroll("type=hotp&genkey=1&" + std::string(kAlice)).at("detail").at("serial").as_string());
  EXPECT_EQ(api_->call("POST", "/token/disable/" + serial, bob).status, 404);
  EXPECT_EQ(api_->call("POST", "/token/disable/" + serial, alice).status, 200);
  const auto rows = [&](const std::string& token) {
    auto r = api_->call("GET", "/audit/?action=POST%20/token/disable/%3Cserial%3E", token);
    EXPECT_EQ(r.status, 200) << r.body;
    return json_of(r).at("result").at("value").at("auditdata").as_array();
  };
  const auto all = rows(admin_);  // newest first
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].at("actor_user"), "bob") << "the refused try names who asked";
  EXPECT_EQ(all[1].at("actor_realm"), "corp");
  EXPECT_EQ(all[1].at("success"), false);
  EXPECT_NE(all[1].at("user"), "bob");
  EXPECT_EQ(all[0].at("actor_user"), "alice");
  EXPECT_EQ(all[0].at("user"), "alice");
  // Alice's own view shows what she did, not Bob's try as hers.
  const auto hers = rows(alice);
  ASSERT_EQ(hers.size(), 1u);
  EXPECT_EQ(hers[0].at("success"), true);
  // Bob sees his try, without learning whose token the serial is, nor its type: it reads as a
  // serial that does not exist.
  EXPECT_EQ(api_->call("POST", "/token/disable/NOSUCH1", bob).status, 404);
  const auto his = rows(bob);  // newest first: the made-up serial, then alice's
  ASSERT_EQ(his.size(), 2u);
  for (const char* field : {"actor_user", "actor_realm", "user", "realm", "token_type", "success"})
    EXPECT_EQ(his[0].at(field), his[1].at(field)) << field;
  EXPECT_EQ(his[1].at("token_type"), "");
  EXPECT_EQ(his[1].at("user"), "bob");
  // Filtering by who asked: his login, his try and his look at the log.
  const auto asked = json_of(api_->call("GET", "/audit/?actor_user=bob", admin_))
                         .at("result")
                         .at("value")
                         .at("auditdata")
                         .as_array();
  std::vector<std::string> actions;
  for (const auto& row : asked) actions.emplace_back(row.at("action").as_string());
  EXPECT_EQ(actions, (std::vector<std::string>{"GET /audit/", "POST /token/disable/<serial>",
                                               "POST /token/disable/<serial>", "POST /auth"}));
}

TEST_F(Otp, SeedsAreSealedAtRest) {
  enroll("type=hotp&user=alice&realm=corp&serial=SEALED&otpkey=" + kSeed20);
  std::ifstream file(server_->dir() / "data" / "tessera.db", std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  // Also the WAL, where fresh rows live before a checkpoint.
  std::ifstream wal(server_->dir() / "data" / "tessera.db-wal", std::ios::binary);
  bytes << wal.rdbuf();
  const auto all = bytes.str();
  EXPECT_NE(all.find("SEALED"), std::string::npos) << "the row is there";
  EXPECT_EQ(all.find(kSeed20), std::string::npos);
  EXPECT_EQ(all.find("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), std::string::npos);
  EXPECT_EQ(all.find("12345678901234567890"), std::string::npos);
}

TEST_F(Otp, RadiusCheckAnswers204Or400) {
  enroll("type=hotp&user=alice&realm=corp&serial=RAD1&otpkey=" + kSeed20);
  TestHttpClient client;
  auto ok = client.post(api_->url() + "/validate/radiuscheck", std::string(kAlice) + "&pass=755224",
                        kForm);
  EXPECT_EQ(ok.status, 204);
  EXPECT_TRUE(ok.body.empty());
  auto no = client.post(api_->url() + "/validate/radiuscheck", std::string(kAlice) + "&pass=755224",
                        kForm);
  EXPECT_EQ(no.status, 400);
  auto get = client.get(api_->url() + "/validate/check?user=alice&realm=corp&pass=287082");
  EXPECT_EQ(json_of(get).at("result").at("value"), true) << get.body;
}

TEST_F(Otp, BadInputIsRefusedWithTheReasonAndChangesNothing) {
  const std::pair<std::string, std::string> cases[] = {
      {"type=nope&genkey=1", "unknown token type 'nope'"},
      {"type=hotp&otpkey=zz" + kSeed20.substr(2), "not hexadecimal"},
      {"type=hotp&otpkey=31323334", "at least 16 are needed"},
      {"type=hotp&otplen=7&genkey=1", "otplen must be 6 or 8"},
      {"type=hotp&hashlib=md5&genkey=1", "hashlib 'md5' is not supported"},
      {"type=hotp&genkey=1&otpkey=" + kSeed20, "not both"},
      {"type=hotp", "give otpkey"},
      {"type=totp&timeStep=45&genkey=1", "timeStep must be 30 or 60"},
      {"type=hotp&genkey=1&serial=bad%20serial", "a serial has"},
      {"type=hotp&genkey=1&user=nobody&realm=corp", "no user 'nobody'"},
  };
  for (const auto& [params, reason] : cases) {
    auto r = api_->call("POST", "/token/init", admin_, params);
    EXPECT_GE(r.status, 400) << params;
    EXPECT_NE(r.body.find(reason), std::string::npos) << params << ": " << r.body;
  }
  EXPECT_EQ(tokens(admin_).at("count"), 0);
  enroll("type=hotp&genkey=1&serial=ONCE");
  EXPECT_EQ(api_->call("POST", "/token/init", admin_, "type=hotp&genkey=1&serial=ONCE").status,
            400);
  EXPECT_EQ(tokens(admin_).at("count"), 1);
  TestHttpClient client;
  EXPECT_EQ(client.post(api_->url() + "/validate/check", "pass=123456", kForm).status, 400);
  EXPECT_EQ(client
                .post(api_->url() + "/validate/check",
                      std::string(kAlice) + "&pass=" + std::string(300, '1'), kForm)
                .status,
            400);
}

TEST_F(Otp, EveryCheckIsAudited) {
  enroll("type=hotp&user=alice&realm=corp&serial=AUD1&otpkey=" + kSeed20);
  api_->check(std::string(kAlice) + "&pass=755224");
  api_->check(std::string(kAlice) + "&pass=000000");
  auto r = api_->call("GET", "/audit/?action=POST%20/validate/check", admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto value = json_of(r).at("result").at("value").as_object();
  ASSERT_EQ(value.at("count"), 2);
  const auto& rows = value.at("auditdata").as_array();
  EXPECT_EQ(rows[0].at("success"), false);
  EXPECT_EQ(rows[0].at("info"), "wrong otp value");
  EXPECT_EQ(rows[1].at("success"), true);
  EXPECT_EQ(rows[1].at("serial"), "AUD1");
  EXPECT_EQ(rows[1].at("user"), "alice");
  EXPECT_EQ(r.body.find("755224"), std::string::npos) << "no OTP value in the audit log";
}

// RFC 6238 appendix B: the server runs under libfaketime at each of the RFC's times, so the
// vectors are checked through the API at exactly the time they belong to.
TEST(Totp, Rfc6238VectorsPassThroughTheApiAtTheirTimes) {
  struct Point {
    const char* time;
    const char* sha1;
    const char* sha256;
    const char* sha512;
  };
  const Point points[] = {
      {"1970-01-01 00:00:59", "94287082", "46119246", "90693936"},
      {"2005-03-18 01:58:29", "07081804", "68084774", "25091201"},
      {"2005-03-18 01:58:31", "14050471", "67062674", "99943326"},
      {"2009-02-13 23:31:30", "89005924", "91819424", "93441116"},
      {"2033-05-18 03:33:20", "69279037", "90698825", "38618901"},
      {"2603-10-11 11:33:20", "65353130", "77737706", "47863826"},
  };
  const auto dir = make_temp_dir("tessera-rfc6238");
  bool first = true;
  for (const auto& point : points) {
    ServerProcess server({.plugin_directories = {TESSERA_PLUGIN_DIR}}, dir,
                         {"TESSERA_ADMIN_PASSWORD=test-admin-pw", "TZ=UTC",
                          "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
                          "DONT_FAKE_MONOTONIC=1", std::string("FAKETIME=@") + point.time});
    TokenApi api(server.url());
    if (first) {
      const auto admin = api.login("admin", "test-admin-pw");
      for (const auto& [serial, seed] :
           {std::pair{"SHA1", kSeed20}, std::pair{"SHA256", kSeed32}, std::pair{"SHA512", kSeed64}})
        ASSERT_EQ(api.call("POST", "/token/init", admin,
                           std::string("type=totp&otplen=8&serial=") + serial +
                               "&hashlib=" + serial + "&otpkey=" + seed)
                      .status,
                  200);
      // The value of a later time is not accepted now.
      EXPECT_FALSE(api.check("serial=SHA1&pass=07081804").value);
      first = false;
    }
    EXPECT_TRUE(api.check(std::string("serial=SHA1&pass=") + point.sha1).value) << point.time;
    EXPECT_TRUE(api.check(std::string("serial=SHA256&pass=") + point.sha256).value) << point.time;
    EXPECT_TRUE(api.check(std::string("serial=SHA512&pass=") + point.sha512).value) << point.time;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tessera::testing
