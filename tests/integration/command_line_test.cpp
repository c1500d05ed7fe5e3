// tessera-server's command line: --check-config, --list-plugins and start-up failures, each
// with the file, key and reason.
#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/server_process.hpp"

namespace tessera::testing {
namespace {

class CommandLine : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = make_temp_dir("tessera-cli"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write_config(const std::string& text) {
    auto path = (dir_ / "tessera.yaml").string();
    std::ofstream(path) << text;
    return path;
  }
  std::string valid_config(const std::string& extra_server = "") {
    return make_config({.plugin_directories = {TESSERA_PLUGIN_DIR}, .server_extra = extra_server},
                       dir_);
  }

  std::filesystem::path dir_;
};

TEST_F(CommandLine, CheckConfigAcceptsAValidFile) {
  auto file = write_config(valid_config());
  auto r = run_server_command({"--config", file, "--check-config"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("configuration OK"), std::string::npos);
}

TEST_F(CommandLine, UnknownKeyNamesFileLineAndKey) {
  auto file = write_config(valid_config("  listn: 3\n"));
  auto r = run_server_command({"--config", file, "--check-config"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(file + ":6: server.listn: unknown key"), std::string::npos) << r.err;
}

TEST_F(CommandLine, WrongTypeIsRefused) {
  auto file = write_config(valid_config("  max_body_bytes: lots\n"));
  auto r = run_server_command({"--config", file, "--check-config"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("server.max_body_bytes: expected an integer, got 'lots'"), std::string::npos)
      << r.err;
}

TEST_F(CommandLine, DuplicateKeyIsRefused) {
  auto file = write_config(valid_config("  io_threads: 4\n"));  // io_threads is already set
  auto r = run_server_command({"--config", file, "--check-config"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("server.io_threads: given twice"), std::string::npos) << r.err;
}

TEST_F(CommandLine, PortOutOfRangeIsRefused) {
  auto text = valid_config();
  text.replace(text.find("port: 0"), 7, "port: 70000");
  auto r = run_server_command({"--config", write_config(text), "--check-config"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("server.listen[0].port: must be between 0 and 65535"), std::string::npos)
      << r.err;
}

TEST_F(CommandLine, MissingFilesAreRefused) {
  auto missing_plugins = make_config({.plugin_directories = {"/nonexistent/plugins"}}, dir_);
  auto r = run_server_command({"--config", write_config(missing_plugins), "--check-config"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("plugins.directories[0]: folder /nonexistent/plugins not found"),
            std::string::npos)
      << r.err;

  auto missing_cert = valid_config("  tls: { certificate: nope.crt, private_key: nope.key }\n");
  r = run_server_command({"--config", write_config(missing_cert), "--check-config"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(
      r.err.find("server.tls.certificate: file " + (dir_ / "nope.crt").string() + " not found"),
      std::string::npos)
      << r.err;

  r = run_server_command({"--config", (dir_ / "absent.yaml").string(), "--check-config"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("configuration file not found"), std::string::npos);
}

TEST_F(CommandLine, OddYamlShapesAreRefusedNotCrashed) {
  auto r = run_server_command({"--config", write_config("server: {[a]: 1}\n"), "--check-config"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("server: keys must be plain names"), std::string::npos) << r.err;
  r = run_server_command({"--config", write_config("- just\n- a list\n"), "--check-config"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("expected a mapping"), std::string::npos) << r.err;
}

TEST_F(CommandLine, InvalidYamlIsRefused) {
  auto r = run_server_command({"--config", write_config("server: [unclosed\n"), "--check-config"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not valid YAML"), std::string::npos) << r.err;
}

TEST_F(CommandLine, UnreachableDatabaseStopsTheStart) {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  auto text =
      make_config({.database_url = "postgresql://tessera:secret-pw@127.0.0.1:1/tessera"}, dir_);
  auto r = run_server_command({"--config", write_config(text)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(
      r.err.find("database.url: cannot open database postgresql://tessera:***@127.0.0.1:1/tessera"),
      std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("secret-pw"), std::string::npos) << "the password must not be printed";
}

TEST_F(CommandLine, PortInUseStopsTheStart) {
  ServerProcess first;
  auto text = valid_config();
  text.replace(text.find("port: 0"), 7, "port: " + std::to_string(first.port()));
  auto r = run_server_command({"--config", write_config(text)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot listen on 127.0.0.1:" + std::to_string(first.port())),
            std::string::npos)
      << r.err;
}

TEST_F(CommandLine, FirstStartCreatesDataKeyAndAdminOnce) {
  const auto run_dir = dir_ / "run";
  std::string password;
  {
    ServerProcess server({}, run_dir, {"TESSERA_ADMIN_PASSWORD="});
    const auto out = server.out();
    const std::string marker = "First admin created: user 'admin', password '";
    auto at = out.find(marker);
    ASSERT_NE(at, std::string::npos) << out;
    password =
        out.substr(at + marker.size(), out.find('\'', at + marker.size()) - at - marker.size());
    EXPECT_EQ(password.size(), 20u);
    EXPECT_EQ(server.err().find(password), std::string::npos) << "the password must not be logged";
    auto key = run_dir / "data" / "encryption.key";
    ASSERT_TRUE(std::filesystem::exists(key));
    EXPECT_EQ(std::filesystem::status(key).permissions() &
                  (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
              std::filesystem::perms::none);
  }
  // A second start in the same folder reuses everything and creates no admin.
  ServerProcess again({}, run_dir, {"TESSERA_ADMIN_PASSWORD="});
  EXPECT_EQ(again.out().find("First admin created"), std::string::npos) << again.out();
  EXPECT_EQ(again.err().find("applied schema migration"), std::string::npos);
}

TEST_F(CommandLine, FirstAdminPasswordCanComeFromTheEnvironment) {
  ServerProcess server({}, dir_ / "run", {"TESSERA_ADMIN_PASSWORD=chosen-by-admin"});
  EXPECT_NE(server.out().find("password from TESSERA_ADMIN_PASSWORD"), std::string::npos);
  EXPECT_EQ(server.out().find("chosen-by-admin"), std::string::npos);
}

}  // namespace
}  // namespace tessera::testing
