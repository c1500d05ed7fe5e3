// A RADIUS client that was not written here: FreeRADIUS's rlm_rest calls /validate/radiuscheck
// for each Access-Request that radtest sends, and decides by the HTTP status (204 or 400).
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

}  // namespace
}  // namespace tessera::testing
