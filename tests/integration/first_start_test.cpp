// A first start that is ready to use: on an empty database the server makes a default realm
// with a built-in user store and a local CA with a client-certificate profile, and prints the
// next steps as commands, which work as printed. A later start makes nothing; first_start with
// empty names gives a bare server.
#include <sstream>

#include "tests/integration/token_fixture.hpp"

namespace tessera::testing {
namespace {

// The printed commands: the TOKEN line and the numbered steps, without their labels.
std::vector<std::string> printed_commands(const std::string& out) {
  std::vector<std::string> commands;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("  TOKEN=")) commands.push_back(line.substr(2));
    if (line.size() > 5 && line.starts_with("  ") &&
        std::isdigit(static_cast<unsigned char>(line[2])) && line[3] == '.')
      commands.push_back(line.substr(line.find("curl")));
  }
  return commands;
}

TEST(FirstStart, MakesARealmAndALocalCaAndThePrintedStepsWork) {
  const auto dir = make_temp_dir("tessera-first-start");
  {
    ServerProcess server({.plugin_directories = {TESSERA_PLUGIN_DIR}, .ready_to_use = true}, dir);
    ASSERT_TRUE(eventually([&] { return server.out().find("Try it") != std::string::npos; }, 10))
        << server.out();
    const auto out = server.out();
    EXPECT_NE(out.find("Ready to use: realm 'default' (users in the built-in resolver 'users'), "
                       "local CA 'local' (EC P-256) with the certificate profile 'client'."),
              std::string::npos)
        << out;
    const auto commands = printed_commands(out);
    ASSERT_EQ(commands.size(), 4u) << out;
    std::string script = "export TESSERA_ADMIN_PASSWORD=test-admin-pw\n";
    for (const auto& command : commands) script += command + "\necho\n";
    write_file(dir / "steps.sh", script);
    const auto ran = shell_output("bash " + (dir / "steps.sh").string() + " 2>&1");
    EXPECT_NE(ran.find("\"authentication\":\"ACCEPT\""), std::string::npos)
        << "step 3 accepts the value of the token of step 2:\n"
        << ran;

    TokenApi api(server.url());
    const auto admin = api.login("admin", "test-admin-pw");
    const auto profiles = api.call("GET", "/caconnector/local", admin);
    EXPECT_NE(profiles.body.find("\"client\""), std::string::npos) << profiles.body;
    EXPECT_NE(profiles.body.find("ec-p256"), std::string::npos) << profiles.body;
  }
  {
    // The second start finds an admin: nothing more is made, nothing printed.
    ServerProcess again({.plugin_directories = {TESSERA_PLUGIN_DIR}, .ready_to_use = true}, dir);
    EXPECT_EQ(again.out().find("Ready to use"), std::string::npos) << again.out();
  }
  std::filesystem::remove_all(dir);
}

TEST(FirstStart, EmptyNamesGiveABareServer) {
  ServerProcess server({.plugin_directories = {TESSERA_PLUGIN_DIR}});  // the tests' default
  EXPECT_EQ(server.out().find("Ready to use"), std::string::npos);
  TokenApi api(server.url());
  const auto admin = api.login("admin", "test-admin-pw");
  EXPECT_EQ(json_of(api.call("GET", "/realm/", admin)).at("result").at("value").as_object().size(),
            0u);
  EXPECT_EQ(api.call("GET", "/caconnector/", admin).body.find("\"local\""), std::string::npos);
}

}  // namespace
}  // namespace tessera::testing
