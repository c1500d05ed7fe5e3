// The real binary's plugin loader: bundled plugins load, broken ones are refused with a precise
// message, and the server runs on with the rest.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "tessera/abi/tessera_plugin_abi.h"
#include "tests/support/server_process.hpp"
#include "tests/support/test_http_client.hpp"

namespace tessera::testing {
namespace {

const std::string kBundled = TESSERA_PLUGIN_DIR;
const std::string kBroken = TESSERA_BROKEN_PLUGIN_DIR;

// Every bundled plugin loads, so the count follows the bundle rather than a number here.
std::size_t bundled_plugin_count() {
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kBundled))
    if (entry.path().extension() == ".so") ++n;
  return n;
}

CommandResult list_plugins(const std::vector<std::string>& dirs) {
  auto dir = make_temp_dir("tessera-list");
  std::ofstream(dir / "tessera.yaml") << make_config({.plugin_directories = dirs}, dir);
  auto result = run_server_command({"--config", (dir / "tessera.yaml").string(), "--list-plugins"});
  std::filesystem::remove_all(dir);
  return result;
}

// The ABI this server speaks, as --list-plugins writes it ("1.6").
const std::string kAbi =
    std::to_string(TESSERA_ABI_VERSION_MAJOR) + "." + std::to_string(TESSERA_ABI_VERSION_MINOR);

TEST(PluginLoading, ListsTheBundledPlugins) {
  auto r = list_plugins({kBundled});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(
      r.out.find("org.tessera.notify_webhook 0.1.0 abi " + kAbi + " notification_action:webhook " +
                 kBundled + "/libtessera_notify_webhook.so"),
      std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("REFUSED"), std::string::npos) << r.out;
}

// A notification action runs in a process of its own by default: its init's failure is told
// once, in the same words as in process.
TEST(PluginLoading, APluginWhoseInitFailsInItsOwnProcessIsRefusedWithItsReason) {
  ServerProcess server({.plugin_directories = {kBundled, kBroken}});
  const auto log = server.err();
  EXPECT_NE(log.find("refused plugin " + kBroken +
                     "/libbroken_throwing_init.so: init failed: internal error in plugin: "
                     "cannot reach the license server"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("init failed: init failed"), std::string::npos) << log;
}

TEST(PluginLoading, RefusesEachBrokenPluginWithAPreciseReason) {
  auto r = list_plugins({kBundled, kBroken});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("REFUSED " + kBroken +
                       "/libbroken_no_entry.so: no entry symbol 'tessera_plugin_entry_v1'"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("REFUSED " + kBroken +
                       "/libbroken_abi_major.so: built for plugin ABI 2.0, but this server "
                       "speaks ABI " +
                       kAbi),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("REFUSED " + kBroken +
                       "/libbroken_throwing_init.so: init failed: internal error in plugin: "
                       "cannot reach the license server"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("REFUSED " + kBroken +
                       "/libbroken_duplicate_type.so: duplicate notification_action id "
                       "'webhook': already provided by " +
                       kBundled + "/libtessera_notify_webhook.so"),
            std::string::npos)
      << r.out;
  // The good plugin is still there.
  EXPECT_NE(r.out.find("org.tessera.notify_webhook 0.1.0"), std::string::npos);
}

TEST(PluginLoading, ServerKeepsRunningWithTheRest) {
  ServerProcess server({.plugin_directories = {kBundled, kBroken}});
  const auto summary = "Plugins: " + std::to_string(bundled_plugin_count()) + " loaded, 4 refused";
  EXPECT_NE(server.out().find(summary), std::string::npos) << server.out();
  EXPECT_NE(server.err().find("refused plugin " + kBroken + "/libbroken_abi_major.so"),
            std::string::npos);
  TestHttpClient client;
  EXPECT_EQ(client.get(server.url() + "/healthz").status, 200);
  // Admins see the refusals with file names only.
  auto login = client.post(server.url() + "/auth", "username=admin&password=test-admin-pw",
                           "application/x-www-form-urlencoded");
  const auto token = boost::json::parse(login.body).at("result").at("value").at("token");
  TestHttpClient admin;
  admin.header("Authorization: " + std::string(token.as_string()));
  auto listed = admin.get(server.url() + "/system/plugins");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.body.find(kBroken), std::string::npos) << listed.body;
  EXPECT_EQ(listed.body.find(kBundled), std::string::npos) << listed.body;
  EXPECT_NE(listed.body.find("already provided by libtessera_notify_webhook.so"), std::string::npos)
      << listed.body;
  EXPECT_EQ(
      boost::json::parse(listed.body).at("result").at("value").at("refused").as_array().size(), 4u);
}

TEST(PluginLoading, RefusesAPluginFileOthersCanWrite) {
  auto dir = make_temp_dir("tessera-writable");
  auto copy = dir / "libcopy.so";
  std::filesystem::copy_file(kBundled + "/libtessera_notify_webhook.so", copy);
  std::filesystem::permissions(copy, std::filesystem::perms::others_write,
                               std::filesystem::perm_options::add);
  auto r = list_plugins({dir.string()});
  EXPECT_NE(r.out.find("REFUSED " + copy.string() + ": the file is writable by group or others"),
            std::string::npos)
      << r.out;
  std::filesystem::remove_all(dir);
}

TEST(PluginLoading, RefusesSymbolicLinksAndFoldersOthersCanWrite) {
  auto dir = make_temp_dir("tessera-links");
  std::filesystem::create_symlink(kBundled + "/libtessera_notify_webhook.so", dir / "liblink.so");
  auto r = list_plugins({dir.string()});
  EXPECT_NE(r.out.find("REFUSED " + (dir / "liblink.so").string() + ": a symbolic link"),
            std::string::npos)
      << r.out;
  std::filesystem::permissions(dir, std::filesystem::perms::others_write,
                               std::filesystem::perm_options::add);
  r = list_plugins({dir.string()});
  EXPECT_NE(
      r.out.find("REFUSED " + dir.string() + ": the plugin folder is writable by group or others"),
      std::string::npos)
      << r.out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tessera::testing
