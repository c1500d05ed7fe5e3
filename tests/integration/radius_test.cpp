// RADIUS with FreeRADIUS on either side. In front: a RADIUS client that was not written here,
// FreeRADIUS's rlm_rest, calls /validate/radiuscheck for each Access-Request that radtest sends
// and decides by the HTTP status (204 or 400). Behind: radius tokens forward the value after
// their PIN to a FreeRADIUS that knows the remote users (eduMFA's /radiusserver/).
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/integration/token_fixture.hpp"

namespace tessera::testing {
namespace {

// A UDP port that is free right now.
int free_udp_port() {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  close(fd);
  return ntohs(address.sin_port);
}

int exit_code(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class Radius : public TokenFixture {
 protected:
  void SetUp() override {
    start();
    dir_ = make_temp_dir("tessera-radius");
    port_ = free_udp_port();
    ASSERT_EQ(exit_code(script_ + " start " + dir_.string() + " " + server_->url() + " " +
                        std::to_string(port_) + " radius-secret > " +
                        (dir_ / "start.log").string() + " 2>&1"),
              0)
        << shell_output("cat " + (dir_ / "start.log").string());
  }
  void TearDown() override {
    exit_code(script_ + " stop " + dir_.string());
    std::filesystem::remove_all(dir_);
  }

  // radtest's exit code: 0 for Access-Accept, 1 for Access-Reject.
  int radtest(const std::string& user, const std::string& password) {
    return exit_code("radtest '" + user + "' '" + password +
                     "' 127.0.0.1:" + std::to_string(port_) + " 0 radius-secret > /dev/null 2>&1");
  }

  std::string script_ = std::string(TESSERA_TEST_SCRIPTS) + "/freeradius.sh";
  std::filesystem::path dir_;
  int port_ = 0;
};

TEST_F(Radius, FreeRadiusAuthenticatesWithPinAndOtp) {
  enroll("type=hotp&user=alice&realm=corp&pin=4711&otpkey=" + kSeed20);
  EXPECT_EQ(radtest("alice", "4711755224"), 0);
  EXPECT_EQ(radtest("alice", "4711755224"), 1) << "a replayed value";
  EXPECT_EQ(radtest("alice", "0000287082"), 1) << "a wrong PIN";
  EXPECT_EQ(radtest("mallory", "4711287082"), 1) << "an unknown user";
  EXPECT_EQ(radtest("alice", "4711287082"), 0);
}

// Tessera forwards to a FreeRADIUS whose users file knows "remote-bob" with password 246810.
class RadiusToken : public TokenFixture {
 protected:
  void start_both(ServerOptions options = {}) {
    start(std::move(options));
    dir_ = make_temp_dir("tessera-radius-users");
    port_ = free_udp_port();
    write_file(dir_ / "users.txt",
               "remote-bob Cleartext-Password := \"246810\"\n"
               "\tReply-Message = \"Welcome\"\n");
    ASSERT_EQ(exit_code(script_ + " start-users " + (dir_ / "raddb").string() + " " +
                        (dir_ / "users.txt").string() + " " + std::to_string(port_) +
                        " shared-secret > " + (dir_ / "start.log").string() + " 2>&1"),
              0)
        << shell_output("cat " + (dir_ / "start.log").string());
    define("remote", "shared-secret");
  }
  void TearDown() override {
    if (!dir_.empty()) {
      exit_code(script_ + " stop " + (dir_ / "raddb").string());
      std::filesystem::remove_all(dir_);
    }
  }

  TestResponse define(const std::string& name, const std::string& secret,
                      const std::string& extra = "") {
    auto r = api_->call("POST", "/radiusserver/" + name, admin_,
                        "server=127.0.0.1&port=" + std::to_string(port_) + "&secret=" + secret +
                            "&timeout=2&retries=1&description=the+old+OTP+server" + extra);
    EXPECT_EQ(r.status, 200) << r.body;
    return r;
  }

  // How many requests the remote server refused ("Login incorrect" in its log).
  int remote_refusals() {
    return std::stoi(shell_output("grep -c 'Login incorrect' " +
                                  (dir_ / "raddb" / "radius.log").string() + " || true"));
  }

  long long failcount(const std::string& serial) {
    return token(serial).at("failcount").as_int64();
  }

  std::string script_ = std::string(TESSERA_TEST_SCRIPTS) + "/freeradius.sh";
  std::filesystem::path dir_;
  int port_ = 0;
};

TEST_F(RadiusToken, AdminsDefineServersAndTestThem) {
  start_both();
  auto listed = json_of(api_->call("GET", "/radiusserver/", admin_));
  const auto& remote = listed.at("result").at("value").at("remote").as_object();
  EXPECT_EQ(remote.at("port").as_int64(), port_);
  EXPECT_EQ(remote.at("description").as_string(), "the old OTP server");
  EXPECT_FALSE(remote.contains("secret"));
  EXPECT_EQ(api_->call("GET", "/radiusserver/", admin_).body.find("shared-secret"),
            std::string::npos);
  EXPECT_TRUE(json_of(api_->call("GET", "/system/names/radius", admin_))
                  .at("result")
                  .at("value")
                  .as_object()
                  .contains("remote"));

  const auto test = [&](const std::string& secret, const std::string& password) {
    return api_->call("POST", "/radiusserver/test_request", admin_,
                      "identifier=probe&server=127.0.0.1&port=" + std::to_string(port_) +
                          "&secret=" + secret + "&timeout=1&retries=0&username=remote-bob" +
                          "&password=" + password);
  };
  auto r = test("shared-secret", "246810");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(json_of(r).at("result").at("value").as_bool());
  r = test("shared-secret", "000000");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(json_of(r).at("result").at("value").as_bool());
  // FreeRADIUS drops a request whose Message-Authenticator another secret made: no answer.
  r = test("another-secret", "246810");
  EXPECT_EQ(r.status, 502) << r.body;
  EXPECT_NE(r.body.find("did not answer"), std::string::npos) << r.body;

  // Bad definitions change nothing.
  for (const char* bad :
       {"server=&secret=x", "server=127.0.0.1&secret=", "server=a b&secret=x",
        "server=127.0.0.1&secret=x&port=70000", "server=127.0.0.1&secret=x&timeout=0",
        "server=127.0.0.1&secret=x&enforce_ma=0"})
    EXPECT_EQ(api_->call("POST", "/radiusserver/remote", admin_, bad).status, 400) << bad;
  EXPECT_EQ(json_of(api_->call("GET", "/radiusserver/", admin_))
                .at("result")
                .at("value")
                .at("remote")
                .at("port")
                .as_int64(),
            port_);
  EXPECT_EQ(api_->call("DELETE", "/radiusserver/nothing", admin_).status, 404);
  EXPECT_EQ(api_->call("DELETE", "/radiusserver/remote", admin_).status, 200);
  EXPECT_TRUE(json_of(api_->call("GET", "/radiusserver/", admin_))
                  .at("result")
                  .at("value")
                  .as_object()
                  .empty());
}

TEST_F(RadiusToken, ForwardsTheValueAfterThePinToTheRemoteServer) {
  start_both();
  auto r = api_->call("POST", "/token/init", admin_,
                      "type=radius&user=alice&realm=corp&pin=1234&radius.identifier=nowhere");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("no RADIUS server 'nowhere' is defined"), std::string::npos) << r.body;
  EXPECT_EQ(token_count(), 0);

  const auto enrolled = enroll(
      "type=radius&user=alice&realm=corp&pin=1234&radius.identifier=remote&radius.user=remote-bob");
  const std::string serial(enrolled.at("detail").at("serial").as_string());
  EXPECT_EQ(token(serial).at("info").at("radius.user").as_string(), "remote-bob");

  auto c = api_->check("user=alice&realm=corp&pass=1234246810");
  EXPECT_TRUE(c.value) << c.message;
  c = api_->check("user=alice&realm=corp&pass=1234246810");
  EXPECT_TRUE(c.value) << "the remote decides about replays: " << c.message;
  c = api_->check("user=alice&realm=corp&pass=1234000000");
  EXPECT_FALSE(c.value);
  EXPECT_EQ(c.message, "wrong otp value");
  EXPECT_EQ(failcount(serial), 1);
  EXPECT_EQ(remote_refusals(), 1);
  // A wrong PIN is refused here: the remote never sees it.
  c = api_->check("user=alice&realm=corp&pass=9999246810");
  EXPECT_FALSE(c.value);
  EXPECT_EQ(c.message, "wrong otp pin");
  EXPECT_EQ(remote_refusals(), 1);

  // A server that answers with another secret, then none at all: the check fails without
  // counting a wrong value.
  define("remote", "not-the-shared-secret", "&timeout=1&retries=0");
  const auto before = failcount(serial);
  c = api_->check("user=alice&realm=corp&pass=1234246810");
  EXPECT_FALSE(c.value);
  EXPECT_EQ(failcount(serial), before);
  exit_code(script_ + " stop " + (dir_ / "raddb").string());
  define("remote", "shared-secret", "&timeout=1&retries=0");
  c = api_->check("user=alice&realm=corp&pass=1234246810");
  EXPECT_FALSE(c.value);
  EXPECT_EQ(failcount(serial), before);
}

// The same host call from a plugin in a child process (plugins.isolation: process).
TEST_F(RadiusToken, WorksFromAnIsolatedPlugin) {
  ServerOptions options;
  options.plugins_extra = "  isolation: { org.tessera.radius: process }\n";
  start_both(options);
  enroll("type=radius&user=alice&realm=corp&radius.identifier=remote&radius.user=remote-bob");
  EXPECT_TRUE(api_->check("user=alice&realm=corp&pass=246810").value);
  EXPECT_FALSE(api_->check("user=alice&realm=corp&pass=135790").value);
  EXPECT_EQ(remote_refusals(), 1);
}

}  // namespace
}  // namespace tessera::testing
