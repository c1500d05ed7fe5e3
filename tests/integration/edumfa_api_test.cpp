// eduMFA's admin API as its clients call it: every route of eduMFA's source answered or listed
// as absent in docs/api/edumfa-parity.md, and each family with the request shapes eduMFA's
// admin client, scripts and PHP plugins send (form, JSON, multipart; the JWT raw in
// Authorization or in PI-Authorization).
#include <unistd.h>

#include <map>
#include <regex>

#include "tests/integration/mail_sink.hpp"
#include "tests/integration/token_fixture.hpp"
#include "tests/support/peer_process.hpp"

namespace tessera::testing {
namespace {

const std::filesystem::path kSource = TESSERA_SOURCE_DIR;

std::string multipart(const std::vector<std::pair<std::string, std::string>>& fields,
                      const std::string& boundary = "tesseraBoundary7") {
  std::string body;
  for (const auto& [name, value] : fields)
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"" +
            (name == "file" ? "; filename=\"upload.txt\"\r\nContent-Type: text/plain" : "") +
            "\r\n\r\n" + value + "\r\n";
  return body + "--" + boundary + "--\r\n";
}

class EduMfaApi : public TokenFixture {
 protected:
  void SetUp() override { start(); }

  TestResponse send(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& content_type, const std::string& header = "") {
    auto client = api_->client();
    client->header(header.empty() ? "Authorization: " + admin_ : header);
    return client->request(method, api_->url() + path, body, content_type);
  }

  static std::string value_of(const TestResponse& r) {
    return boost::json::serialize(json_of(r)["result"].as_object()["value"]);
  }
};

// eduMFA's routes (tests/integration/data/edumfa_routes.txt, from eduMFA's source) against the
// parity table: a route the table calls absent must get 404/405 from the router, every other
// one must reach a handler and not fail inside it.
TEST_F(EduMfaApi, EveryRouteIsAnsweredOrListedAsAbsent) {
  std::map<std::pair<std::string, std::string>, std::string> status;
  std::ifstream table(kSource / "docs/api/edumfa-parity.md");
  const std::regex row(R"(^\| (GET|POST|PUT|DELETE) \| `([^`]+)` \| (answered|differs|absent) \|)");
  for (std::string line; std::getline(table, line);)
    if (std::smatch m; std::regex_search(line, m, row)) status[{m[1], m[2]}] = m[3];

  std::ifstream list(kSource / "tests/integration/data/edumfa_routes.txt");
  const std::regex placeholder("<[a-z_]+>");
  int routes = 0, answered = 0, differs = 0, absent = 0;
  for (std::string line; std::getline(list, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.find(' ');
    const auto method = line.substr(0, space), path = line.substr(space + 1);
    ++routes;
    const auto it = status.find({method, path});
    ASSERT_NE(it, status.end()) << method << " " << path << " is missing from the parity table";
    // Names that exist nowhere: no route may change anything that matters here.
    const auto target = std::regex_replace(path, placeholder, "nosuch1");
    const auto r = send(method, target, "", "");
    const bool unrouted =
        r.status == 405 || (r.status == 404 && r.body.find("no API endpoint") != std::string::npos);
    if (it->second == "absent") {
      ++absent;
      EXPECT_TRUE(unrouted) << method << " " << path << " is answered (" << r.status << " "
                            << r.body << "): the parity table still calls it absent";
    } else {
      ++(it->second == "answered" ? answered : differs);
      EXPECT_FALSE(unrouted) << method << " " << path << " got " << r.status
                             << " but the table calls it " << it->second;
      EXPECT_LT(r.status, 500) << method << " " << target << ": " << r.body;
    }
  }
  EXPECT_EQ(routes, 174);
  EXPECT_EQ(status.size(), 174u) << "the table lists routes that eduMFA does not have";
  std::cout << "eduMFA routes: " << answered << " answered, " << differs << " differ, " << absent
            << " absent\n";
}

// PHP clients post multipart/form-data; privacyIDEA's clients send the JWT in PI-Authorization.
TEST_F(EduMfaApi, ClientsSendMultipartAndPiAuthorization) {
  const auto made = enroll("type=hotp&otpkey=" + kSeed20 + "&user=alice&realm=corp&pin=pin");
  const std::string serial(made.at("detail").at("serial").as_string());
  auto client = api_->client();
  auto checked =
      client->request("POST", api_->url() + "/validate/check",
                      multipart({{"user", "alice"}, {"realm", "corp"}, {"pass", "pin755224"}}),
                      "multipart/form-data; boundary=tesseraBoundary7");
  ASSERT_EQ(checked.status, 200) << checked.body;
  EXPECT_EQ(json_of(checked).at("result").at("authentication"), "ACCEPT");

  const auto listed =
      send("GET", "/token/?serial=" + serial, "", "", "PI-Authorization: " + admin_);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(json_of(listed).at("result").at("value").at("count"), 1);
  EXPECT_EQ(send("GET", "/token/", "", "", "PI-Authorization: not-a-jwt").status, 401);
}

// eduMFA's admin client sends genkey=1 with the CSR of "certificate sign": the CSR wins.
TEST_F(EduMfaApi, ACsrWinsOverGenkey) {
  ASSERT_EQ(api_->call("POST", "/caconnector/corp", admin_, "type=ca_local").status, 200);
  ASSERT_EQ(api_->call("POST", "/caconnector/corp/profile/user", admin_,
                       "key_types=ec-p256&subject.CN=%7Busername%7D")
                .status,
            200);
  const auto dir = server_->dir();
  ASSERT_EQ(std::system(("openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
                         "-keyout " +
                         (dir / "sign.key").string() + " -out " + (dir / "sign.csr").string() +
                         " -subj /CN=alice 2>/dev/null")
                            .c_str()),
            0);
  auto r = send("POST", "/token/init",
                boost::json::serialize(boost::json::object{{"type", "certificate"},
                                                           {"genkey", 1},
                                                           {"request", read_file(dir / "sign.csr")},
                                                           {"user", "alice"},
                                                           {"realm", "corp"},
                                                           {"ca", "corp"}}),
                "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto detail = json_of(r).at("detail").as_object();
  EXPECT_FALSE(detail.contains("pkcs12")) << "no key was made: the CSR's key is certified";
  const auto cert = save("sign.pem", std::string(detail.at("certificate").as_string()));
  EXPECT_EQ(
      shell_output("openssl x509 -noout -pubkey -in " + cert.string() + " | sha256sum"),
      shell_output("openssl pkey -pubout -in " + (dir / "sign.key").string() + " | sha256sum"));
}

// GET /policy/<name>, /policy/check, /policy/defs/<scope>, and an export that imports again.
TEST_F(EduMfaApi, PoliciesAreReadCheckedExportedAndImported) {
  ASSERT_EQ(api_->call("POST", "/policy/helpdesk", admin_,
                       "scope=user&action=setpin,enable,disable&realm=corp&priority=2")
                .status,
            200);
  const auto one = json_of(api_->call("GET", "/policy/helpdesk", admin_));
  EXPECT_EQ(one.at("result").at("value").at(0).at("action"), "setpin,enable,disable");
  EXPECT_EQ(api_->call("GET", "/policy/nobody", admin_).status, 404);

  const auto allowed = json_of(
      api_->call("GET", "/policy/check?user=alice&realm=corp&scope=user&action=enable", admin_));
  EXPECT_EQ(allowed.at("result").at("value").at("allowed"), true);
  EXPECT_EQ(allowed.at("result").at("value").at("policy").at(0).at("name"), "helpdesk");
  const auto refused = json_of(
      api_->call("GET", "/policy/check?user=alice&realm=corp&scope=user&action=delete", admin_));
  EXPECT_EQ(refused.at("result").at("value").at("allowed"), false);
  const auto defs = json_of(api_->call("GET", "/policy/defs/authentication", admin_));
  EXPECT_TRUE(defs.at("result").at("value").as_object().contains("otppin"));

  const auto exported = api_->call("GET", "/policy/export/backup.cfg", admin_);
  ASSERT_EQ(exported.status, 200);
  EXPECT_NE(exported.body.find("[helpdesk]\nscope = user\naction = setpin,enable,disable\n"),
            std::string::npos)
      << exported.body;
  ASSERT_EQ(api_->call("DELETE", "/policy/helpdesk", admin_).status, 200);
  // The export as it was, plus a policy in eduMFA's own export format (Python literals).
  const auto file = exported.body +
                    "[pin-policy]\nname = pin-policy\nscope = authentication\n"
                    "action = {'otppin': 'userstore', 'max_fail': '5'}\nrealm = ['corp']\n"
                    "active = True\nadminrealm = []\ntime = \n";
  auto imported = send("POST", "/policy/import/backup.cfg", multipart({{"file", file}}),
                       "multipart/form-data; boundary=tesseraBoundary7");
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(value_of(imported), "2");
  const auto pin = json_of(api_->call("GET", "/policy/pin-policy", admin_));
  EXPECT_EQ(pin.at("result").at("value").at(0).at("action"), "otppin=userstore, max_fail=5");
  EXPECT_EQ(pin.at("result").at("value").at(0).at("realm"), "corp");
  EXPECT_EQ(api_->call("GET", "/policy/helpdesk", admin_).status, 200);
  // One bad policy in a file stores none of it.
  auto bad = send("POST", "/policy/import/x.cfg",
                  multipart({{"file",
                              "[fine]\nscope = admin\naction = enable\n\n[broken]\n"
                              "scope = admin\naction = fly\n"}}),
                  "multipart/form-data; boundary=tesseraBoundary7");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("broken"), std::string::npos) << bad.body;
  EXPECT_EQ(api_->call("GET", "/policy/fine", admin_).status, 404);
}

// RFC 4226's values for its seed, counters 0 to 5.
const char* kHotp[] = {"755224", "287082", "359152", "969429", "338314", "254676"};

// /token/set as eduMFA's admin client sends it; the limits it sets are enforced by the checker.
TEST_F(EduMfaApi, TokenSetLimitsAreEnforcedByTheChecker) {
  const auto made = enroll("type=hotp&otpkey=" + kSeed20 + "&user=alice&realm=corp&pin=pin");
  const std::string serial(made.at("detail").at("serial").as_string());
  auto set = api_->call("POST", "/token/set", admin_,
                        "serial=" + serial +
                            "&description=desk%20key&count_auth_success_max=2&max_failcount=5&"
                            "count_window=5");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(value_of(set), "4");
  EXPECT_TRUE(api_->check("user=alice&realm=corp&pass=pin" + std::string(kHotp[0])).value);
  EXPECT_TRUE(api_->check("user=alice&realm=corp&pass=pin" + std::string(kHotp[1])).value);
  const auto third = api_->check("user=alice&realm=corp&pass=pin" + std::string(kHotp[2]));
  EXPECT_FALSE(third.value);
  EXPECT_EQ(third.message, "Authentication counter exceeded");
  const auto listed = json_of(api_->call("GET", "/token/?serial=" + serial, admin_));
  const auto& token = listed.at("result").at("value").at("tokens").at(0).as_object();
  EXPECT_EQ(token.at("description"), "desk key");
  EXPECT_EQ(token.at("maxfail"), 5);
  EXPECT_EQ(token.at("count_window"), 5);
  EXPECT_EQ(token.at("info").at("count_auth_success"), "2");
  EXPECT_EQ(token.at("info").at("count_auth_success_max"), "2");
  // Lifting the limit (0) lets the next value in.
  ASSERT_EQ(api_->call("POST", "/token/set/" + serial, admin_, "count_auth_success_max=0").status,
            200);
  EXPECT_TRUE(api_->check("user=alice&realm=corp&pass=pin" + std::string(kHotp[3])).value);

  // count_auth_max counts every value evaluated, right or wrong.
  ASSERT_EQ(api_->call("POST", "/token/set/" + serial, admin_, "count_auth_max=4").status, 200);
  EXPECT_FALSE(api_->check("user=alice&realm=corp&pass=pin000000").value);
  const auto used_up = api_->check("user=alice&realm=corp&pass=pin" + std::string(kHotp[4]));
  EXPECT_FALSE(used_up.value) << "3 accepted and 1 wrong: a 5th evaluation is refused";
  EXPECT_EQ(used_up.message, "Authentication counter exceeded");
  ASSERT_EQ(api_->call("POST", "/token/set/" + serial, admin_, "count_auth_max=").status, 200);

  // A validity period (eduMFA's time format) in the past or the future refuses every value.
  ASSERT_EQ(api_->call("POST", "/token/set/" + serial, admin_,
                       "validity_period_end=2020-01-01T00:00%2B0100")
                .status,
            200);
  const auto expired = api_->check("user=alice&realm=corp&pass=pin" + std::string(kHotp[4]));
  EXPECT_EQ(expired.message, "Outside validity period");
  ASSERT_EQ(api_->call("POST", "/token/set/" + serial, admin_,
                       "validity_period_end=&validity_period_start=2099-01-01T00:00Z")
                .status,
            200);
  EXPECT_EQ(api_->check("user=alice&realm=corp&pass=pin" + std::string(kHotp[4])).message,
            "Outside validity period");
  ASSERT_EQ(api_->call("POST", "/token/set/" + serial, admin_, "validity_period_start=").status,
            200);
  EXPECT_TRUE(api_->check("user=alice&realm=corp&pass=pin" + std::string(kHotp[4])).value);

  // Bad settings are refused and change nothing.
  for (const char* bad :
       {"validity_period_end=31.12.2026", "validity_period_end=2026-02-30T10:00Z", "hashlib=md5",
        "timestep=60", "otplen=3", "count_auth_max=-1", "", "description=x&otplen=99"})
    EXPECT_EQ(api_->call("POST", "/token/set/" + serial, admin_, bad).status, 400) << bad;
  const auto after = json_of(api_->call("GET", "/token/?serial=" + serial, admin_));
  EXPECT_EQ(after.at("result").at("value").at("tokens").at(0).at("description"), "desk key");
  const auto alice = api_->login("alice", "alice-password");
  EXPECT_EQ(api_->call("POST", "/token/set/" + serial, alice, "description=mine").status, 403)
      << "only admins";
  EXPECT_EQ(api_->call("POST", "/token/description/" + serial, alice, "description=mine").status,
            200)
      << "a user sets her own token's description";
}

TEST_F(EduMfaApi, TokenInfoPinsOwnersAndLookUps) {
  const auto first = enroll("type=hotp&otpkey=" + kSeed20 + "&user=alice&realm=corp&pin=secret");
  const std::string a(first.at("detail").at("serial").as_string());
  const auto second = enroll("type=hotp&genkey=1");
  const std::string b(second.at("detail").at("serial").as_string());

  // Info entries: one by path, several as JSON (null removes), protected ones refused.
  ASSERT_EQ(api_->call("POST", "/token/info/" + a + "/department", admin_, "value=it").status, 200);
  auto several = send("POST", "/token/info/" + a, R"({"info": {"room": "12", "department": null}})",
                      "application/json");
  ASSERT_EQ(several.status, 200) << several.body;
  auto info = json_of(api_->call("GET", "/token/?serial=" + a, admin_))
                  .at("result")
                  .at("value")
                  .at("tokens")
                  .at(0)
                  .at("info")
                  .as_object();
  EXPECT_EQ(info.at("room"), "12");
  EXPECT_FALSE(info.contains("department"));
  EXPECT_EQ(api_->call("DELETE", "/token/info/" + a + "/room", admin_).status, 200);
  EXPECT_EQ(
      api_->call("POST", "/token/info/" + a + "/certificate_serial", admin_, "value=1").status,
      400);
  EXPECT_EQ(api_->call("POST", "/token/info/" + a + "/hashlib", admin_, "value=sha1").status, 400);

  // The owner and the PIN pass from a to b; b then answers with a's PIN.
  ASSERT_EQ(api_->call("POST", "/token/copyuser", admin_, "from=" + a + "&to=" + b).status, 200);
  ASSERT_EQ(api_->call("POST", "/token/copypin", admin_, "from=" + a + "&to=" + b).status, 200);
  const auto b_token = json_of(api_->call("GET", "/token/?serial=" + b, admin_))
                           .at("result")
                           .at("value")
                           .at("tokens")
                           .at(0)
                           .as_object();
  EXPECT_EQ(b_token.at("username"), "alice");
  EXPECT_EQ(api_->call("POST", "/token/copyuser", admin_, "from=" + a + "&to=NOSUCH").status, 404);

  // getserial finds a's token from its next value without using the value.
  const auto found =
      json_of(api_->call("GET", std::string("/token/getserial/") + kHotp[2], admin_));
  EXPECT_EQ(found.at("result").at("value").at("serial"), a.c_str());
  const auto none = json_of(api_->call("GET", "/token/getserial/000000?window=2", admin_));
  EXPECT_TRUE(none.at("result").at("value").at("serial").is_null());
  EXPECT_TRUE(api_->check("user=alice&realm=corp&serial=" + a + "&pass=secret" + kHotp[2]).value)
      << "the look-up did not use the value";

  // A random PIN, shown once; the old one stops working.
  auto random = api_->call("POST", "/token/setrandompin/" + a, admin_);
  ASSERT_EQ(random.status, 200) << random.body;
  const std::string pin(json_of(random).at("detail").at("pin").as_string());
  EXPECT_EQ(pin.size(), 12u);
  EXPECT_FALSE(api_->check("serial=" + a + "&pass=secret" + kHotp[3]).value);
  EXPECT_TRUE(api_->check("serial=" + a + "&pass=" + pin + kHotp[4]).value);

  // Open challenges are listed for admins (policy challenge_response opens them on a PIN).
  ASSERT_EQ(api_->call("POST", "/policy/cr", admin_,
                       "scope=authentication&action=challenge_response%3Dhotp&realm=corp")
                .status,
            200);
  const auto challenge = api_->check("serial=" + a + "&pass=" + pin);
  ASSERT_EQ(challenge.authentication, "CHALLENGE");
  const auto listed = json_of(api_->call("GET", "/token/challenges/" + a, admin_));
  EXPECT_EQ(listed.at("result").at("value").at("count"), 1);
  EXPECT_EQ(listed.at("result").at("value").at("challenges").at(0).at("transaction_id"),
            challenge.transaction_id.c_str());
  const auto alice = api_->login("alice", "alice-password");
  EXPECT_EQ(api_->call("GET", "/token/challenges/", alice).status, 403);
}

// What SAML and RADIUS plugins call: samlcheck with the user's attributes, a challenge
// triggered with GET, and a poll on its transaction.
TEST_F(EduMfaApi, ValidateSamlcheckTriggerAndPoll) {
  ASSERT_EQ(api_->call("PUT", "/user/", admin_,
                       "user=alice&resolver=local&givenname=Alice&surname=Example&email=alice%"
                       "40corp.example&mobile=%2B4912345")
                .status,
            200);
  const auto made = enroll("type=hotp&otpkey=" + kSeed20 + "&user=alice&realm=corp&pin=pin");
  const std::string serial(made.at("detail").at("serial").as_string());
  TestHttpClient anyone;
  auto saml =
      anyone.get(api_->url() + "/validate/samlcheck?user=alice&realm=corp&pass=pin" + kHotp[0]);
  ASSERT_EQ(saml.status, 200) << saml.body;
  auto result = json_of(saml).at("result").as_object();
  EXPECT_EQ(result.at("authentication"), "ACCEPT");
  EXPECT_EQ(result.at("value").at("auth"), true);
  const auto& attributes = result.at("value").at("attributes").as_object();
  EXPECT_EQ(attributes.at("username"), "alice");
  EXPECT_EQ(attributes.at("realm"), "corp");
  EXPECT_EQ(attributes.at("email"), "alice@corp.example");
  EXPECT_EQ(attributes.at("givenname"), "Alice");
  EXPECT_EQ(attributes.at("mobile"), "+4912345");
  // A failure tells nothing about the user, unless a policy says so.
  auto wrong = anyone.post(api_->url() + "/validate/samlcheck",
                           multipart({{"user", "alice"}, {"realm", "corp"}, {"pass", "pin000000"}}),
                           "multipart/form-data; boundary=tesseraBoundary7");
  result = json_of(wrong).at("result").as_object();
  EXPECT_EQ(result.at("authentication"), "REJECT") << "not eduMFA's ACCEPT for a failure";
  EXPECT_EQ(result.at("value").at("auth"), false);
  EXPECT_TRUE(result.at("value").at("attributes").as_object().empty());
  ASSERT_EQ(api_->call("POST", "/policy/saml", admin_,
                       "scope=authentication&action=return_saml_attributes_on_fail&realm=corp")
                .status,
            200);
  wrong =
      anyone.post(api_->url() + "/validate/samlcheck", "user=alice&realm=corp&pass=pin1", kForm);
  EXPECT_EQ(json_of(wrong).at("result").at("value").at("attributes").at("surname"), "Example");

  // An admin triggers a challenge with GET; its transaction is pending until it is answered.
  ASSERT_EQ(api_->call("POST", "/policy/cr", admin_,
                       "scope=authentication&action=challenge_response%3Dhotp&realm=corp")
                .status,
            200);
  auto triggered = api_->call("GET", "/validate/triggerchallenge?user=alice&realm=corp", admin_);
  ASSERT_EQ(triggered.status, 200) << triggered.body;
  EXPECT_EQ(value_of(triggered), "1");
  const std::string transaction(json_of(triggered).at("detail").at("transaction_id").as_string());
  EXPECT_EQ(anyone.get(api_->url() + "/validate/triggerchallenge?user=alice").status, 401);
  for (const auto& path : {"/validate/polltransaction?transaction_id=" + transaction,
                           "/validate/polltransaction/" + transaction}) {
    const auto poll = json_of(anyone.get(api_->url() + path));
    EXPECT_EQ(poll.at("result").at("value"), false);
    EXPECT_EQ(poll.at("detail").at("challenge_status"), "pending");
  }
  EXPECT_EQ(anyone.get(api_->url() + "/validate/polltransaction").status, 400);
  EXPECT_TRUE(
      api_->check("user=alice&realm=corp&transaction_id=" + transaction + "&pass=" + kHotp[1])
          .value);
}

// eduMFA's system settings map onto one policy; those without an equivalent are refused.
TEST_F(EduMfaApi, SystemSettingsBecomeAPolicy) {
  auto set = api_->call("POST", "/system/setConfig", admin_,
                        "DefaultMaxFailCount=3&failcounter_clear_timeout=5&PrependPin=True");
  ASSERT_EQ(set.status, 200) << set.body;
  auto values = json_of(api_->call("GET", "/system/", admin_)).at("result").at("value");
  EXPECT_EQ(values.at("DefaultMaxFailCount"), "3");
  EXPECT_EQ(values.at("failcounter_clear_timeout"), "5");
  EXPECT_EQ(values.at("splitAtSign"), "False");
  const auto policy = json_of(api_->call("GET", "/policy/system-defaults", admin_));
  EXPECT_EQ(policy.at("result").at("value").at(0).at("action"), "lockout_seconds=300, max_fail=3");
  // The setting takes effect: a new token locks after 3 failures.
  const auto made = enroll("type=hotp&otpkey=" + kSeed20 + "&user=alice&realm=corp&pin=pin");
  const std::string serial(made.at("detail").at("serial").as_string());
  const auto token = json_of(api_->call("GET", "/token/?serial=" + serial, admin_));
  EXPECT_EQ(token.at("result").at("value").at("tokens").at(0).at("maxfail"), 3);
  EXPECT_EQ(value_of(api_->call("GET", "/system/DefaultMaxFailCount", admin_)), "\"3\"");

  for (const char* bad :
       {"splitAtSign=True", "mysetting=1", "DefaultMaxFailCount=many", "DefaultMaxFailCount=0"})
    EXPECT_EQ(api_->call("POST", "/system/setConfig", admin_, bad).status, 400) << bad;
  EXPECT_EQ(api_->call("POST", "/system/setDefault", admin_, "DefaultOtpLen=8").status, 400);
  ASSERT_EQ(api_->call("POST", "/system/setDefault", admin_, "DefaultMaxFailCount=4").status, 200);
  EXPECT_EQ(value_of(api_->call("GET", "/system/DefaultMaxFailCount", admin_)), "\"4\"");
  ASSERT_EQ(api_->call("DELETE", "/system/DefaultMaxFailCount", admin_).status, 200);
  ASSERT_EQ(api_->call("DELETE", "/system/failcounter_clear_timeout", admin_).status, 200);
  EXPECT_EQ(api_->call("GET", "/policy/system-defaults", admin_).status, 404)
      << "the policy goes with its last setting";

  const auto doc = api_->call("GET", "/system/documentation", admin_);
  ASSERT_EQ(doc.status, 200);
  EXPECT_NE(doc.body.find("* corp (default): local (priority 1)"), std::string::npos) << doc.body;
  ASSERT_EQ(api_->call("POST", "/caconnector/corp", admin_, "type=ca_local").status, 200);
  const auto names = json_of(api_->call("GET", "/system/names/caconnector", admin_));
  EXPECT_EQ(names.at("result").at("value").at(0).at("connectorname"), "corp");
  EXPECT_FALSE(names.at("result").at("value").at(0).as_object().contains("data"));
}

TEST_F(EduMfaApi, TokenGroupsAndServiceIds) {
  const auto made = enroll("type=hotp&genkey=1&user=alice&realm=corp");
  const std::string serial(made.at("detail").at("serial").as_string());
  ASSERT_EQ(api_->call("POST", "/tokengroup/staff", admin_, "description=Staff%20keys").status,
            200);
  ASSERT_EQ(api_->call("POST", "/tokengroup/lab", admin_).status, 200);
  ASSERT_EQ(api_->call("POST", "/serviceid/webserver", admin_, "description=www").status, 200);
  const auto groups = json_of(api_->call("GET", "/tokengroup/", admin_));
  EXPECT_EQ(groups.at("result").at("value").at("staff").at("description"), "Staff keys");
  EXPECT_EQ(json_of(api_->call("GET", "/serviceid/webserver", admin_))
                .at("result")
                .at("value")
                .at("webserver")
                .at("description"),
            "www");
  EXPECT_EQ(api_->call("POST", "/tokengroup/bad%20name", admin_).status, 400);

  ASSERT_EQ(api_->call("POST", "/token/group/" + serial + "/staff", admin_).status, 200);
  EXPECT_EQ(api_->call("POST", "/token/group/" + serial + "/nosuch", admin_).status, 404);
  EXPECT_EQ(api_->call("DELETE", "/tokengroup/staff", admin_).status, 400)
      << "a group with tokens stays";
  auto both =
      send("POST", "/token/group/" + serial, R"({"groups": ["lab", "staff"]})", "application/json");
  ASSERT_EQ(both.status, 200) << both.body;
  EXPECT_EQ(api_->call("POST", "/token/group/" + serial, admin_, "groups=lab,nosuch").status, 404);
  ASSERT_EQ(api_->call("DELETE", "/token/group/" + serial + "/staff", admin_).status, 200);
  EXPECT_EQ(api_->call("DELETE", "/token/group/" + serial + "/staff", admin_).status, 404);
  ASSERT_EQ(api_->call("DELETE", "/tokengroup/staff", admin_).status, 200);
  ASSERT_EQ(api_->call("DELETE", "/serviceid/webserver", admin_).status, 200);
  EXPECT_EQ(api_->call("DELETE", "/serviceid/webserver", admin_).status, 404);
  const auto alice = api_->login("alice", "alice-password");
  EXPECT_EQ(api_->call("POST", "/token/group/" + serial + "/lab", alice).status, 403);
}

TEST_F(EduMfaApi, AuditCsvAndMonitoring) {
  enroll("type=hotp&otpkey=" + kSeed20 + "&user=alice&realm=corp&pin=pin");
  EXPECT_TRUE(api_->check("user=alice&realm=corp&pass=pin" + std::string(kHotp[0])).value);
  EXPECT_FALSE(api_->check("user=alice&realm=corp&pass=pin000000").value);
  EXPECT_FALSE(api_->check("user=%3Dcmd|x&realm=corp&pass=1").value);
  const auto csv = api_->call("GET", "/audit/audit.csv?realm=corp", admin_);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.body.rfind("number,date,duration,action,success,serial", 0), 0u);
  EXPECT_NE(csv.body.find("\"POST /validate/check\",1,"), std::string::npos) << csv.body;
  EXPECT_NE(csv.body.find("\"'=cmd|x\""), std::string::npos) << "no formula for a spreadsheet";
  EXPECT_EQ(api_->call("GET", "/audit/audit.csv", api_->login("alice", "alice-password")).status,
            403);

  const auto keys = json_of(api_->call("GET", "/monitoring/", admin_));
  EXPECT_EQ(keys.at("result").at("value").at(0), "checks_accepted");
  const auto accepted = json_of(api_->call("GET", "/monitoring/checks_accepted", admin_));
  ASSERT_EQ(accepted.at("result").at("value").as_array().size(), 1u) << "one minute";
  EXPECT_EQ(accepted.at("result").at("value").at(0).at(1), 1);
  EXPECT_EQ(value_of(api_->call("GET", "/monitoring/checks_rejected/last", admin_)), "2");
  EXPECT_EQ(api_->call("GET", "/monitoring/nosuch", admin_).status, 404);
  EXPECT_EQ(value_of(api_->call("GET", "/stats/current/users_with_token", admin_)), "1");
  EXPECT_EQ(value_of(api_->call("GET", "/stats/current/users_with_token?type=totp", admin_)), "0");
  ASSERT_EQ(api_->call("DELETE", "/monitoring/checks_accepted", admin_).status, 200);
  EXPECT_TRUE(json_of(api_->call("GET", "/monitoring/checks_accepted", admin_))
                  .at("result")
                  .at("value")
                  .as_array()
                  .empty());
}

class TokenFiles : public EduMfaApi {
 protected:
  TestResponse load(const std::string& file, const std::string& type,
                    std::vector<std::pair<std::string, std::string>> extra = {}) {
    extra.emplace_back("type", type);
    extra.emplace_back("file", file);
    return send("POST", "/token/load/tokens.xml", multipart(extra),
                "multipart/form-data; boundary=tesseraBoundary7");
  }
  // A file written by Debian's python3-pskc (tests/integration/make_pskc.py).
  std::string made_by_python_pskc(const std::string& mode, const std::string& secret = "") {
    const auto path = server_->dir() / ("made-" + mode + ".pskc");
    EXPECT_EQ(std::system(("/usr/bin/python3 " TESSERA_TEST_SCRIPTS "/make_pskc.py " +
                           path.string() + " " + mode + " " + secret)
                              .c_str()),
              0);
    return read_file(path);
  }
  static boost::json::value imported(const TestResponse& r) {
    return json_of(r)["result"].as_object()["value"];
  }
};

// RFC 6030's own examples: figure 2's 4-byte secret is too short for RFC 4226; figure 10's four
// keys come in as three tokens (two share a serial), valid only in 2006.
TEST_F(TokenFiles, Rfc6030FiguresImport) {
  auto figure2 = load(read_file(kSource / "tests/integration/data/rfc6030_figure2.pskc"), "pskc");
  ASSERT_EQ(figure2.status, 200) << figure2.body;
  EXPECT_EQ(imported(figure2).at("n_imported"), 0);
  EXPECT_NE(figure2.body.find("at least 16 are needed"), std::string::npos) << figure2.body;

  auto figure10 = load(read_file(kSource / "tests/integration/data/rfc6030_figure10.pskc"), "pskc");
  ASSERT_EQ(figure10.status, 200) << figure10.body;
  EXPECT_EQ(imported(figure10).at("n_imported"), 3);
  EXPECT_EQ(imported(figure10).at("n_not_imported"), 1);
  const auto token = json_of(api_->call("GET", "/token/?serial=654321", admin_))
                         .at("result")
                         .at("value")
                         .at("tokens")
                         .at(0)
                         .as_object();
  EXPECT_EQ(token.at("otplen"), 8);
  EXPECT_EQ(token.at("description"), "Issuer");
  EXPECT_EQ(token.at("info").at("tokenkind"), "hardware");
  const auto expired = api_->check("serial=654321&pass=84755224");
  EXPECT_FALSE(expired.value);
  EXPECT_EQ(expired.message, "Outside validity period") << "its Policy ended in May 2006";
  ASSERT_EQ(api_->call("POST", "/token/set/654321", admin_, "validity_period_end=").status, 200);
  EXPECT_TRUE(api_->check("serial=654321&pass=84755224").value)
      << "RFC 4226's first 8-digit value, once the period is lifted";
}

TEST_F(TokenFiles, EncryptedFilesFromPythonPskc) {
  const std::string psk = "12345678901234567890123456789012";
  const auto file = made_by_python_pskc("psk", psk);
  ASSERT_NE(file.find("EncryptedValue"), std::string::npos);
  EXPECT_EQ(load(file, "pskc").status, 400) << "no key given";
  const auto wrong = load(file, "pskc", {{"psk", "00000000000000000000000000000000"}});
  EXPECT_EQ(wrong.status, 400);
  EXPECT_NE(wrong.body.find("nothing was imported"), std::string::npos) << wrong.body;
  auto right = load(file, "pskc", {{"psk", psk}});
  ASSERT_EQ(right.status, 200) << right.body;
  EXPECT_EQ(imported(right).at("n_imported"), 2) << right.body;
  // The HOTP token continues at its counter (5); values before it are refused.
  EXPECT_FALSE(api_->check("serial=TOK-HOTP&pass=755224").value);
  EXPECT_TRUE(api_->check("serial=TOK-HOTP&pass=254676").value);
  const auto totp = shell_output("oathtool --totp -d 8 " + kSeed20);
  EXPECT_TRUE(api_->check("serial=TOK-TOTP&pass=" + totp).value);

  // A password-encrypted file (PBKDF2) on a fresh pair of serials.
  ASSERT_EQ(api_->call("DELETE", "/token/TOK-HOTP", admin_).status, 200);
  ASSERT_EQ(api_->call("DELETE", "/token/TOK-TOTP", admin_).status, 200);
  const auto by_password = made_by_python_pskc("password", "correct-horse");
  EXPECT_EQ(load(by_password, "pskc", {{"password", "wrong-horse"}}).status, 400);
  auto opened = load(by_password, "pskc", {{"password", "correct-horse"}});
  ASSERT_EQ(opened.status, 200) << opened.body;
  EXPECT_EQ(imported(opened).at("n_imported"), 2);

  // A changed value fails its MAC: the whole file is refused, or with check_fail_soft that key.
  ASSERT_EQ(api_->call("DELETE", "/token/TOK-HOTP", admin_).status, 200);
  ASSERT_EQ(api_->call("DELETE", "/token/TOK-TOTP", admin_).status, 200);
  auto tampered = file;
  const auto mac = tampered.find("<pskc:ValueMAC>") + 15;
  tampered[mac] = tampered[mac] == 'A' ? 'B' : 'A';
  const auto hard = load(tampered, "pskc", {{"psk", psk}});
  EXPECT_EQ(hard.status, 400);
  EXPECT_NE(hard.body.find("MAC"), std::string::npos);
  auto soft = load(tampered, "pskc", {{"psk", psk}, {"pskcValidateMAC", "check_fail_soft"}});
  ASSERT_EQ(soft.status, 200) << soft.body;
  EXPECT_EQ(imported(soft).at("n_imported"), 1);
  EXPECT_EQ(imported(soft).at("n_not_imported"), 1);
}

TEST_F(TokenFiles, OathCsvAndRefusals) {
  auto csv = load("# serial, key, type, otplen, time step\nCSV-1, " + kSeed20 +
                      ", hotp, 6\nCSV-2, " + kSeed20 + ", totp, 8, 60\nCSV-3, nothex\n",
                  "oathcsv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(imported(csv).at("n_imported"), 2);
  EXPECT_EQ(imported(csv).at("n_not_imported"), 1);
  EXPECT_TRUE(api_->check("serial=CSV-1&pass=755224").value);
  const auto step = json_of(api_->call("GET", "/token/?serial=CSV-2", admin_))
                        .at("result")
                        .at("value")
                        .at("tokens")
                        .at(0)
                        .at("info")
                        .at("timeStep");
  EXPECT_EQ(step, "60");
  EXPECT_EQ(load("x", "aladdin-xml").status, 400);
  EXPECT_EQ(load("<KeyContainer><KeyPackage>", "pskc").status, 400);
  EXPECT_EQ(load("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><KeyContainer>&e;"
                 "</KeyContainer>",
                 "pskc")
                .status,
            200)
      << "an external entity is not read (the file holds no keys)";
  const auto alice = api_->login("alice", "alice-password");
  auto client = api_->client();
  client->header("Authorization: " + alice);
  EXPECT_EQ(client
                ->request("POST", api_->url() + "/token/load/t.csv",
                          multipart({{"type", "oathcsv"}, {"file", "X, " + kSeed20}}),
                          "multipart/form-data; boundary=tesseraBoundary7")
                .status,
            403);
}

// The other files eduMFA's /token/load reads: OATH CSV version 2 (owners named), the YubiKey
// personalization tool's CSV and SafeNet's eToken PASS XML. RFC 4226's seed throughout.
TEST_F(TokenFiles, EduMfasOtherFormatsImport) {
  auto csv = load(
      "# version: 2\n"
      "alice, local, corp, OATHV2A, " +
          kSeed20 +
          ", hotp, 6, 5\n"
          "nobody, local, corp, OATHV2B, " +
          kSeed20 + ", hotp\n",
      "oathcsv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(imported(csv).at("n_imported"), 1);
  EXPECT_NE(csv.body.find("no user nobody in resolver local of realm corp"), std::string::npos)
      << csv.body;
  EXPECT_EQ(token("OATHV2A").at("username"), "alice");
  // Counter 5 from the file: RFC 4226's value at 4 is behind it, the one at 5 is accepted.
  EXPECT_FALSE(api_->check("user=alice&realm=corp&pass=338314").value);
  EXPECT_TRUE(api_->check("user=alice&realm=corp&pass=254676").value);
  auto gpg = load("-----BEGIN PGP MESSAGE-----\nhQEMA...\n-----END PGP MESSAGE-----\n", "oathcsv");
  EXPECT_EQ(gpg.status, 400);
  EXPECT_NE(gpg.body.find("decrypt it with gpg first"), std::string::npos) << gpg.body;

  auto yubico = load("OATH-HOTP,11.12.13 18:55,1,cccccccccccb,," + kSeed20 +
                         ",,,0,0,0,6,0,0,0,0,0,0\n"
                         "Yubico OTP,12/11/2013 11:10,1,vvgutbiedkvi,ab86c04de6a3,"
                         "d26a7c0f85fdda28bd816e406342b214,,,0,0,0,0,0,0,0,0,0,0\n"
                         "508326,,0," +
                         kSeed20 + ",,2013-12-12T08:41:07,\n",
                     "yubikeycsv");
  ASSERT_EQ(yubico.status, 200) << yubico.body;
  EXPECT_EQ(imported(yubico).at("n_imported"), 2);
  EXPECT_NE(yubico.body.find("Tessera has no yubikey token type"), std::string::npos)
      << yubico.body;
  EXPECT_EQ(token("UBOM00000001_1").at("tokentype"), "hotp");
  EXPECT_EQ(token("UBOM508326_X").at("tokentype"), "hotp");

  auto safenet = load(
      "<?xml version=\"1.0\"?><Tokens>"
      "<Token serial=\"ETP0001\"><ProductName>eToken PASS</ProductName><Applications>"
      "<Application ConnectorID=\"{a61c4073}\"><Seed>" +
          kSeed20 +
          "</Seed>"
          "<MovingFactor>3</MovingFactor></Application></Applications></Token>"
          "<Token serial=\"ETP0002\"><Applications><Application><MovingFactor>1</MovingFactor>"
          "</Application></Applications></Token>"
          "<Token serial=\"ETP0003\"><Applications><Application><Seed>"
          "3132333435363738393031323334353637383930313233343536373839303132</Seed>"
          "</Application></Applications></Token></Tokens>",
      "aladdin-xml");
  ASSERT_EQ(safenet.status, 200) << safenet.body;
  EXPECT_EQ(imported(safenet).at("n_imported"), 2);
  EXPECT_NE(safenet.body.find("no Seed"), std::string::npos) << safenet.body;
  EXPECT_EQ(token("ETP0003").at("info").at("hashlib"), "sha256");
  ASSERT_EQ(
      api_->call("POST", "/token/assign", admin_, "serial=ETP0001&user=bob&realm=corp").status,
      200);
  EXPECT_TRUE(api_->check("user=bob&realm=corp&pass=969429").value) << "RFC 4226 at counter 3";
  EXPECT_EQ(load("<NotTokens/>", "aladdin-xml").status, 400);
}

// An SMS token against an HTTP gateway double, configured as eduMFA's admin client configures an
// SMS gateway; an SMTP server configured as eduMFA's is a notifier too.
TEST_F(EduMfaApi, SmsTokenThroughAnHttpGateway) {
  const auto port = free_port();
  const auto received = make_temp_dir("tessera-sms");
  Peer gateway(std::vector<std::string>{
      "/usr/bin/python3", std::string(TESSERA_TEST_SCRIPTS) + "/sms_gateway_double.py",
      std::to_string(port), received.string()});
  const auto url = "http://127.0.0.1:" + std::to_string(port) + "/send";
  ASSERT_TRUE(eventually([&] { return TestHttpClient().get(url).status == 401; }))
      << "the gateway double is up (it wants a login)";
  auto saved = api_->call(
      "POST", "/smsgateway", admin_,
      "name=gw1&module=edumfa.lib.smsprovider.HttpSMSProvider.HttpSMSProvider&option.URL=" + url +
          "&option.HTTP_METHOD=GET&option.SMS_PHONENUMBER_KEY=to&option.SMS_TEXT_KEY=msg&"
          "option.RETURN_SUCCESS=STATUS%3DOK&option.USERNAME=smsuser&option.PASSWORD=smspass&"
          "option.account=acme-42");
  ASSERT_EQ(saved.status, 200) << saved.body;
  const auto listed = json_of(api_->call("GET", "/smsgateway/", admin_));
  const auto& gw = listed.at("result").at("value").at(0).as_object();
  EXPECT_EQ(gw.at("name"), "gw1");
  EXPECT_EQ(gw.at("options").at("SMS_TEXT_KEY"), "msg");
  EXPECT_EQ(gw.at("options").at("account"), "acme-42");
  EXPECT_EQ(gw.at("options").at("PASSWORD"), "***");
  EXPECT_EQ(api_->call("POST", "/smsgateway", admin_,
                       "name=gw2&module=edumfa.lib.smsprovider.SipgateSMSProvider."
                       "SipgateSMSProvider")
                .status,
            400);
  EXPECT_EQ(
      api_->call("POST", "/smsgateway", admin_,
                 "name=gw2&module=x.HttpSMSProvider&option.URL=" + url + "&option.CHECK_SSL=no")
          .status,
      400);

  ASSERT_EQ(
      api_->call("PUT", "/user/", admin_, "user=alice&resolver=local&mobile=%2B4915112345").status,
      200);
  ASSERT_EQ(api_->call("POST", "/policy/sms", admin_,
                       "scope=authentication&action=challenge_notification%3Dsms:gw1&realm=corp")
                .status,
            200);
  const auto made = enroll("type=sms&user=alice&realm=corp&pin=pin");
  const std::string serial(made.at("detail").at("serial").as_string());
  EXPECT_FALSE(made.at("detail").as_object().contains("otpkey")) << "the seed stays inside";
  const auto challenge = api_->check("user=alice&realm=corp&pass=pin");
  ASSERT_EQ(challenge.authentication, "CHALLENGE") << server_->err();
  EXPECT_EQ(challenge.message, "Please enter the code that was sent to you by SMS.");
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(received / "1.json"); }));
  const auto text = boost::json::parse(read_file(received / "1.json")).as_object();
  EXPECT_EQ(text.at("method"), "GET");
  EXPECT_EQ(text.at("phone"), "+4915112345");
  EXPECT_EQ(text.at("account"), "acme-42");
  const std::string message(text.at("text").as_string());
  const auto code = message.substr(message.size() - 6);
  EXPECT_FALSE(api_->check("user=alice&realm=corp&transaction_id=" + challenge.transaction_id +
                           "&pass=000000")
                   .value);
  EXPECT_TRUE(api_->check("user=alice&realm=corp&transaction_id=" + challenge.transaction_id +
                          "&pass=" + code)
                  .value);

  // A token's own number wins over the owner's mobile; a gateway that says FAIL sends nothing.
  const auto own = enroll("type=sms&user=alice&realm=corp&pin=pin2&phone=%2B000");
  const auto failed = api_->check(
      "user=alice&realm=corp&serial=" + std::string(own.at("detail").at("serial").as_string()) +
      "&pass=pin2");
  EXPECT_FALSE(std::filesystem::exists(received / "2.json"));
  EXPECT_NE(failed.authentication, "ACCEPT");

  // /system/test/sms sends a test text; an option goes back to its default.
  auto tested =
      api_->call("POST", "/system/test/sms", admin_, "notifier=gw1&recipient=%2B4915199999");
  ASSERT_EQ(tested.status, 200) << tested.body;
  EXPECT_EQ(value_of(tested), "true");
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(received / "2.json"); }));
  EXPECT_EQ(boost::json::parse(read_file(received / "2.json")).at("phone"), "+4915199999");
  EXPECT_EQ(value_of(api_->call("DELETE", "/smsgateway/option/gw1/account", admin_)), "1");
  EXPECT_FALSE(json_of(api_->call("GET", "/smsgateway/gw1", admin_))
                   .at("result")
                   .at("value")
                   .at(0)
                   .at("options")
                   .as_object()
                   .contains("account"));
  ASSERT_EQ(api_->call("DELETE", "/smsgateway/gw1", admin_).status, 200);
  EXPECT_EQ(api_->call("DELETE", "/smsgateway/gw1", admin_).status, 404);

  // SMTP servers in eduMFA's shape.
  ASSERT_TRUE(eventually([&] {
    return std::system(
               ("timeout 1 bash -c '</dev/tcp/127.0.0.1/" + std::to_string(port) + "' 2>/dev/null")
                   .c_str()) == 0;
  })) << "the SMTP sink listens";
  ASSERT_EQ(api_->call("POST", "/smtpserver/mail", admin_,
                       "server=127.0.0.1&port=2525&sender=mfa%40corp.example&tls=0")
                .status,
            200);
  const auto smtp = json_of(api_->call("GET", "/smtpserver/", admin_));
  EXPECT_EQ(smtp.at("result").at("value").at("mail").at("sender"), "mfa@corp.example");
  EXPECT_EQ(smtp.at("result").at("value").at("mail").at("tls"), false);
  ASSERT_EQ(api_->call("DELETE", "/smtpserver/mail", admin_).status, 200);
}

// The built-in background jobs read as eduMFA's periodic tasks; defining tasks is refused.
TEST_F(EduMfaApi, PeriodicTasksAreTheBuiltInJobs) {
  ASSERT_TRUE(eventually([&] {
    const auto tasks = json_of(api_->call("GET", "/periodictask/", admin_));
    const auto& list = tasks.at("result").at("value").as_array();
    return !list.empty() && !list.at(0).at("last_runs").as_object().empty();
  })) << "the event dispatcher runs every second";
  const auto tasks = json_of(api_->call("GET", "/periodictask/", admin_));
  const auto& first = tasks.at("result").at("value").at(0).as_object();
  EXPECT_EQ(first.at("taskmodule"), "event-dispatch");
  EXPECT_EQ(first.at("interval"), "every 1 seconds");
  const auto modules = json_of(api_->call("GET", "/periodictask/taskmodules/", admin_));
  EXPECT_EQ(modules.at("result").at("value").as_array().size(), 4u)
      << "event-dispatch, pending-certificates, certificate-expiry, outbox";
  EXPECT_EQ(json_of(api_->call("GET", "/periodictask/1", admin_))
                .at("result")
                .at("value")
                .at("taskmodule"),
            "event-dispatch");
  EXPECT_EQ(api_->call("GET", "/periodictask/99", admin_).status, 404);
  const auto refused = api_->call("POST", "/periodictask/", admin_,
                                  "name=stats&interval=*/5 * * * *&nodes=a&taskmodule=SimpleStats");
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("events.poll_interval"), std::string::npos);
}

// An sshkey token served to OpenSSH: Debian's sshd on loopback asks Tessera for the keys of a
// host and user through AuthorizedKeysCommand (as eduMFA's authorizedkeys client does), and
// the key's owner logs in with ssh; detached, the key stops working.
TEST_F(EduMfaApi, SshKeysReachSshdThroughAuthorizedKeysCommand) {
  if (geteuid() != 0) GTEST_SKIP() << "sshd runs as root";
  const auto dir = server_->dir();
  ASSERT_EQ(std::system(("ssh-keygen -q -t ed25519 -N '' -f " + (dir / "id").string() +
                         " && ssh-keygen -q -t ed25519 -N '' -f " + (dir / "host").string())
                            .c_str()),
            0);
  write_file(dir / "hosts", "# machines\n127.0.0.1 testhost localhost-alias\n10.0.0.9 other\n");
  ASSERT_EQ(api_->call("POST", "/machineresolver/local-hosts", admin_,
                       "type=hosts&filename=" + (dir / "hosts").string())
                .status,
            200);
  const auto machines = json_of(api_->call("GET", "/machine/?hostname=testhost", admin_));
  EXPECT_EQ(machines.at("result").at("value").at(0).at("ip"), "127.0.0.1");
  EXPECT_EQ(api_->call("POST", "/token/init", admin_,
                       "type=sshkey&user=alice&realm=corp&sshkey=" +
                           std::string("-----BEGIN OPENSSH PRIVATE KEY-----"))
                .status,
            400);
  const auto pub = read_file(dir / "id.pub");
  auto client = api_->client();
  client->header("Authorization: " + admin_);
  auto made =
      client->post(api_->url() + "/token/init",
                   boost::json::serialize(boost::json::object{
                       {"type", "sshkey"}, {"user", "alice"}, {"realm", "corp"}, {"sshkey", pub}}),
                   "application/json");
  ASSERT_EQ(made.status, 200) << made.body;
  const std::string serial(json_of(made).at("detail").at("serial").as_string());
  auto attached = api_->call("POST", "/machine/token", admin_,
                             "serial=" + serial + "&application=ssh&hostname=testhost&user=root");
  ASSERT_EQ(attached.status, 200) << attached.body;
  const auto mtid = value_of(attached);
  EXPECT_EQ(api_->call("POST", "/machine/token", admin_,
                       "serial=" + serial + "&application=ssh&hostname=nosuchhost&user=root")
                .status,
            404);
  const auto items_r =
      api_->call("GET", "/machine/authitem/ssh?hostname=testhost&user=root", admin_);
  const auto items = json_of(items_r);
  ASSERT_EQ(items.at("result").at("value").at("ssh").as_array().size(), 1u);
  EXPECT_EQ(
      pub.rfind(
          std::string(items.at("result").at("value").at("ssh").at(0).at("sshkey").as_string()), 0),
      0u);
  EXPECT_TRUE(json_of(api_->call("GET", "/machine/authitem/ssh?hostname=other&user=root", admin_))
                  .at("result")
                  .at("value")
                  .at("ssh")
                  .as_array()
                  .empty());

  // sshd with the keys from Tessera only. The command and every folder above it must be root's
  // and not writable by others, and "nobody" runs it: under /run, not in the checkout (a clean
  // clone may sit in a private folder) or /tmp.
  const std::filesystem::path bin = "/run/tessera-test-ssh-" + std::to_string(getpid());
  std::filesystem::create_directories(bin);
  std::filesystem::permissions(bin, std::filesystem::perms(0755));
  const auto command = bin / "authorized_keys";
  write_file(command,
             "#!/bin/sh\nexec curl -sf -H 'Authorization: " + admin_ + "' '" + api_->url() +
                 "/machine/authitem/ssh?hostname=testhost&user='\"$1\" | /usr/bin/python3 -c "
                 "'import json,sys\nfor i in json.load(sys.stdin)[\"result\"][\"value\"]"
                 "[\"ssh\"]: print(i[\"sshkey\"])'\n");
  std::filesystem::permissions(command, std::filesystem::perms(0755));
  const auto port = free_port();
  write_file(dir / "sshd_config",
             "Port " + std::to_string(port) + "\nListenAddress 127.0.0.1\nHostKey " +
                 (dir / "host").string() + "\nPidFile " + (dir / "sshd.pid").string() +
                 "\nAuthorizedKeysFile none\nAuthorizedKeysCommand " + command.string() +
                 " %u\nAuthorizedKeysCommandUser nobody\nPasswordAuthentication no\n"
                 "KbdInteractiveAuthentication no\nUsePAM no\nPermitRootLogin "
                 "prohibit-password\nStrictModes no\n");
  std::filesystem::create_directories("/run/sshd");
  Peer sshd(
      std::vector<std::string>{"/usr/sbin/sshd", "-D", "-e", "-f", (dir / "sshd_config").string()});
  const auto ssh = "ssh -i " + (dir / "id").string() + " -p " + std::to_string(port) +
                   " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes "
                   "-o IdentitiesOnly=yes -o ConnectTimeout=5 root@127.0.0.1 echo tessera-ok "
                   "2>/dev/null";
  EXPECT_TRUE(eventually([&] { return shell_output(ssh) == "tessera-ok"; }, 15))
      << "the key from Tessera opens the account";

  // Detached, the key opens nothing.
  ASSERT_EQ(api_->call("DELETE", "/machine/token/" + serial + "/ssh/" + mtid, admin_).status, 200);
  EXPECT_EQ(shell_output(ssh), "");
  std::filesystem::remove_all(bin);
}

// Custom user attributes: admins set any, users what the user policies allow.
TEST_F(EduMfaApi, CustomUserAttributes) {
  ASSERT_EQ(api_->call("POST", "/user/attribute", admin_,
                       "user=alice&realm=corp&key=department&value=sales")
                .status,
            200);
  EXPECT_EQ(
      value_of(api_->call("GET", "/user/attribute?user=alice&realm=corp&key=department", admin_)),
      "\"sales\"");
  const auto alice = api_->login("alice", "alice-password");
  EXPECT_EQ(api_->call("POST", "/user/attribute", alice, "user=alice&key=room&value=12").status,
            403)
      << "no user policy allows it";
  ASSERT_EQ(api_->call("POST", "/policy/attrs", admin_,
                       "scope=user&realm=corp&action=set_custom_user_attributes%3D:room: *"
                       " :department: sales finance,delete_custom_user_attributes%3Droom")
                .status,
            200);
  EXPECT_EQ(api_->call("POST", "/user/attribute", alice, "user=alice&key=room&value=12").status,
            200);
  EXPECT_EQ(
      api_->call("POST", "/user/attribute", alice, "user=alice&key=department&value=board").status,
      403)
      << "only sales or finance";
  EXPECT_EQ(api_->call("POST", "/user/attribute", alice, "user=bob&key=room&value=1").status, 403);
  const auto mine = json_of(api_->call("GET", "/user/attribute?user=alice", alice));
  EXPECT_EQ(mine.at("result").at("value").at("room"), "12");
  EXPECT_EQ(mine.at("result").at("value").at("department"), "sales");
  const auto editable = json_of(api_->call("GET", "/user/editable_attributes/?user=alice", alice));
  EXPECT_EQ(editable.at("result").at("value").at("set").at("department").as_array().size(), 2u);
  EXPECT_EQ(editable.at("result").at("value").at("delete").at(0), "room");
  EXPECT_EQ(api_->call("DELETE", "/user/attribute/department/alice/corp", alice).status, 403);
  EXPECT_EQ(value_of(api_->call("DELETE", "/user/attribute/room/alice/corp", alice)), "1");
  EXPECT_EQ(value_of(api_->call("DELETE", "/user/attribute/department/alice/corp", admin_)), "1");
  EXPECT_EQ(value_of(api_->call("GET", "/user/attribute?user=alice&realm=corp", admin_)), "{}");
}

// A lost token: disabled, and a password token with its PIN stands in for a few days.
TEST_F(EduMfaApi, ALostTokenGetsATemporaryPasswordToken) {
  const auto made = enroll("type=hotp&otpkey=" + kSeed20 + "&user=alice&realm=corp&pin=pin");
  const std::string serial(made.at("detail").at("serial").as_string());
  ASSERT_EQ(api_->call("POST", "/policy/lost", admin_,
                       "scope=enrollment&action=lostTokenPWLen%3D12,lostTokenValid%3D3&realm=corp")
                .status,
            200);
  const auto alice = api_->login("alice", "alice-password");
  auto lost = api_->call("POST", "/token/lost/" + serial, alice);
  ASSERT_EQ(lost.status, 200) << lost.body;
  const auto value = json_of(lost).at("result").at("value").as_object();
  EXPECT_EQ(value.at("serial"), ("lost" + serial).c_str());
  const std::string password(value.at("password").as_string());
  EXPECT_EQ(password.size(), 12u);
  EXPECT_FALSE(api_->check("user=alice&realm=corp&pass=pin" + std::string(kHotp[0])).value)
      << "the lost token is disabled";
  EXPECT_FALSE(api_->check("user=alice&realm=corp&pass=pin" + password.substr(1) + "x").value);
  EXPECT_TRUE(api_->check("user=alice&realm=corp&pass=pin" + password).value);
  const auto temporary = json_of(api_->call("GET", "/token/?serial=lost" + serial, admin_))
                             .at("result")
                             .at("value")
                             .at("tokens")
                             .at(0)
                             .as_object();
  EXPECT_EQ(temporary.at("tokentype"), "pw");
  EXPECT_EQ(temporary.at("username"), "alice");
  EXPECT_TRUE(temporary.at("info").as_object().contains("validity_period_end"));
  EXPECT_EQ(api_->call("POST", "/token/lost/" + serial, alice).status, 400)
      << "one temporary token per lost one";
  const auto bobs = enroll("type=hotp&genkey=1&user=bob&realm=corp");
  EXPECT_EQ(
      api_->call("POST", "/token/lost/" + std::string(bobs.at("detail").at("serial").as_string()),
                 alice)
          .status,
      404)
      << "not her token";
}

// The applications that checked, by the product of their User-Agent.
TEST_F(EduMfaApi, ClientApplicationsFromTheUserAgent) {
  enroll("type=hotp&otpkey=" + kSeed20 + "&user=alice&realm=corp&pin=pin");
  TestHttpClient pam;
  pam.header("User-Agent: privacyIDEA-PAM/1.0 (pam_python)");
  pam.post(api_->url() + "/validate/check", "user=alice&realm=corp&pass=pin755224", kForm);
  TestHttpClient radius;
  radius.header("User-Agent: FreeRADIUS 3.2");
  radius.post(api_->url() + "/validate/check", "user=alice&realm=corp&pass=pin1", kForm);
  const auto clients = json_of(api_->call("GET", "/client/", admin_));
  const auto& value = clients.at("result").at("value").as_object();
  ASSERT_TRUE(value.contains("privacyIDEA-PAM")) << value;
  EXPECT_EQ(value.at("privacyIDEA-PAM").at(0).at("ip"), "127.0.0.1");
  EXPECT_TRUE(value.contains("FreeRADIUS"));
  EXPECT_FALSE(value.contains("unknown")) << "the admin's own calls are no checks";
  EXPECT_EQ(api_->call("GET", "/client/", api_->login("alice", "alice-password")).status, 403);
}

// An SMTP sink writing to maildir, listening before it is returned (codes are sent once, at
// once), and the SMTP server "mail" that sends to it.
std::unique_ptr<Peer> start_mail_sink(TokenApi& api, const std::string& admin,
                                      const std::filesystem::path& maildir) {
  const auto port = free_port();
  for (const char* sub : {"tmp", "new", "cur"}) std::filesystem::create_directory(maildir / sub);
  auto smtp = std::make_unique<Peer>(std::vector<std::string>{
      "/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(port), "-c",
      "aiosmtpd.handlers.Mailbox", maildir.string()});
  EXPECT_TRUE(eventually([&] {
    const int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool up = connect(s, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(s);
    return up;
  })) << "the SMTP sink listens";
  EXPECT_EQ(api.call("POST", "/smtpserver/mail", admin,
                     "server=127.0.0.1&port=" + std::to_string(port) + "&sender=mfa%40corp.example")
                .status,
            200);
  return smtp;
}

// Password recovery by e-mail: a code to the user's own address, once, then a new password.
TEST_F(EduMfaApi, PasswordRecoveryByEmail) {
  const auto maildir = make_temp_dir("tessera-recover");
  const auto smtp = start_mail_sink(*api_, admin_, maildir);
  ASSERT_EQ(
      api_->call("PUT", "/user/", admin_, "user=alice&resolver=local&email=alice%40corp.example")
          .status,
      200);
  EXPECT_EQ(value_of(api_->call("POST", "/smtpserver/send_test_email", admin_,
                                "identifier=mail&recipient=it%40corp.example")),
            "true");
  TestHttpClient anyone;
  const auto recover = [&](const std::string& params) {
    return anyone.post(api_->url() + "/recover", params, kForm);
  };
  // Without the policy nothing is sent, and the answer does not say so.
  EXPECT_EQ(value_of(recover("user=alice&realm=corp&email=alice%40corp.example")), "true");
  ASSERT_EQ(api_->call("POST", "/policy/recover", admin_,
                       "scope=user&realm=corp&action=password_reset%3Dmail")
                .status,
            200);
  EXPECT_EQ(value_of(recover("user=alice&realm=corp&email=mallory%40evil.example")), "true");
  EXPECT_EQ(value_of(recover("user=nobody&realm=corp&email=alice%40corp.example")), "true");
  EXPECT_EQ(mails_in(maildir).size(), 1u)
      << "only the test mail: none to a wrong address or for nobody";
  EXPECT_EQ(value_of(recover("user=alice&realm=corp&email=Alice%40corp.example")), "true");
  ASSERT_TRUE(eventually([&] { return mails_in(maildir).size() == 2; }, 20))
      << api_->call("GET", "/audit/?page_size=5", admin_).body;
  const auto mail = mails_in(maildir).back();
  const auto at = mail.find("recovery code is ") + 17;
  const auto code = mail.substr(at, 16);
  EXPECT_EQ(value_of(recover("user=alice&realm=corp&email=alice%40corp.example")), "true");
  EXPECT_EQ(mails_in(maildir).size(), 2u) << "one code a minute";

  const auto reset = [&](const std::string& params) {
    return anyone.post(api_->url() + "/recover/reset", params, kForm);
  };
  EXPECT_EQ(value_of(reset("user=alice&realm=corp&recoverycode=wrongcode&password=new-"
                           "password-1")),
            "false");
  EXPECT_EQ(reset("user=alice&realm=corp&recoverycode=" + code + "&password=short").status, 400);
  EXPECT_EQ(
      value_of(reset("user=alice&realm=corp&recoverycode=" + code + "&password=new-password-1")),
      "true");
  EXPECT_TRUE(api_->login("alice", "alice-password").empty()) << "the old password is gone";
  EXPECT_FALSE(api_->login("alice", "new-password-1").empty());
  EXPECT_EQ(
      value_of(reset("user=alice&realm=corp&recoverycode=" + code + "&password=new-password-2")),
      "false")
      << "a code works once";
  std::filesystem::remove_all(maildir);
}

// Self-registration where a register policy offers it: the user and her password, and a
// registration code by mail that works for one check.
TEST_F(EduMfaApi, SelfRegistrationMailsAOneTimeCode) {
  TestHttpClient anyone;
  const auto enrol = [&](const std::string& who, const std::string& email) {
    return anyone.post(api_->url() + "/register",
                       "username=" + who + "&givenname=Carol&surname=Example&email=" + email +
                           "&password=carol-password&mobile=%2B4915100000",
                       kForm);
  };
  EXPECT_EQ(value_of(anyone.get(api_->url() + "/register")), "false");
  auto r = enrol("carol", "carol%40corp.example");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("registration is not offered"), std::string::npos) << r.body;

  const auto maildir = make_temp_dir("tessera-register");
  auto smtp = start_mail_sink(*api_, admin_, maildir);
  // requiredemail's expression in eduMFA's slashes; the body with {regkey}.
  ASSERT_EQ(api_->call("POST", "/policy/selfservice", admin_,
                       "scope=register&action=realm%3Dcorp%2C+resolver%3Dlocal%2C+smtpconfig%3D"
                       "mail%2C+requiredemail%3D%2F%40corp%5C.example%24%2F%2C+"
                       "registrationcode_body%3DWelcome%21+Your+code%3A+%7Bregkey%7D")
                .status,
            200);
  EXPECT_EQ(value_of(anyone.get(api_->url() + "/register")), "true");
  r = enrol("carol", "carol%40evil.example");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("not allowed to register"), std::string::npos) << r.body;
  EXPECT_EQ(enrol("alice", "alice%40corp.example").status, 400) << "a name that is taken";
  r = enrol("carol", "carol%40corp.example");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(value_of(r), "true");
  ASSERT_TRUE(eventually([&] { return mails_in(maildir).size() == 1; }, 20));
  const auto mail = mails_in(maildir).back();
  EXPECT_NE(mail.find("To: carol@corp.example"), std::string::npos) << mail;
  const auto at = mail.find("Welcome! Your code: ");
  ASSERT_NE(at, std::string::npos) << mail;
  const auto code = mail.substr(at + 20, 12);
  EXPECT_EQ(enrol("carol", "carol%40corp.example").status, 400) << "registered already";

  // Her password logs her in; the code is her second factor, once.
  EXPECT_FALSE(api_->login("carol", "carol-password").empty());
  EXPECT_FALSE(api_->check("user=carol&realm=corp&pass=wrong-code").value);
  EXPECT_TRUE(api_->check("user=carol&realm=corp&pass=" + code).value);
  const auto again = api_->check("user=carol&realm=corp&pass=" + code);
  EXPECT_FALSE(again.value);
  EXPECT_EQ(again.message, "Authentication counter exceeded") << again.message;

  // Without a mail server, nobody is left behind without the code; five tries an hour.
  smtp.reset();
  for (int i = 0; i < 4; ++i) {
    r = enrol("dave", "dave%40corp.example");
    EXPECT_EQ(r.status, 502) << r.body;
  }
  EXPECT_TRUE(api_->login("dave", "carol-password").empty());
  EXPECT_EQ(json_of(api_->call("GET", "/token/?user=dave&realm=corp", admin_))
                .at("result")
                .at("value")
                .at("count")
                .as_int64(),
            0);
  EXPECT_EQ(enrol("dave", "dave%40corp.example").status, 429);
  std::filesystem::remove_all(maildir);
}

}  // namespace
}  // namespace tessera::testing
