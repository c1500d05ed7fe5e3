// tessera-server: parses the command line and runs one of the three commands.
#include <curl/curl.h>
#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "server/app/admin_command.hpp"
#include "server/app/commands.hpp"
#include "server/app/import_command.hpp"

namespace {

// glibc gives threads that allocate at the same time arenas of their own, up to eight per core,
// and memory freed into one arena is rarely given back while a few live blocks sit among it:
// under the soak's mixed load (tests/bench/soak.sh) the server's RSS kept growing while its live
// heap stayed flat (heaptrack). One arena per core bounds that. MALLOC_ARENA_MAX, when set,
// decides instead.
void bound_malloc_arenas() {
  if (std::getenv("MALLOC_ARENA_MAX")) return;
  mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
}

}  // namespace

int main(int argc, char** argv) {
  bound_malloc_arenas();
  CLI::App cli{"Tessera: a plugin-based MFA token and certificate server"};
  std::string config_file = "/etc/tessera/tessera.yaml";
  bool check_config = false;
  bool list_plugins = false;
  cli.add_option("--config", config_file, "configuration file (YAML)");
  cli.add_flag("--check-config", check_config, "validate the configuration and exit 0 or 1");
  cli.add_flag("--list-plugins", list_plugins,
               "list the plugins found in the configured folders, or why each was refused");
  std::string admin_action, admin_name, admin_value;
  auto* admin = cli.add_subcommand("admin", "manage administrator accounts (password on stdin)");
  admin->add_option("action", admin_action, "add, passwd, email, list or delete")->required();
  admin->add_option("name", admin_name, "the admin's user name");
  admin->add_option("value", admin_value, "email: the address (empty: none)");
  auto* audit = cli.add_subcommand("audit", "audit log tools");
  auto* verify = audit->add_subcommand("verify", "check the audit log's hash chain");
  audit->require_subcommand(1);
  std::string new_key_file;
  auto* key = cli.add_subcommand("key", "encryption key tools");
  auto* rotate = key->add_subcommand("rotate", "re-seal every stored secret under a new key file");
  rotate->add_option("new_key_file", new_key_file, "where to create the new key")->required();
  key->require_subcommand(1);
  std::string import_source, import_database, import_key;
  bool import_dry_run = false;
  auto* import = cli.add_subcommand(
      "import", "bring the tokens of an eduMFA or privacyIDEA database over (see the README)");
  import->add_option("source", import_source, "edumfa or privacyidea")->required();
  import
      ->add_option("--database", import_database,
                   "its database: sqlite:///path or postgresql://user:password@host/name")
      ->required();
  import->add_option("--enckey", import_key, "its encryption key file (96 bytes)")->required();
  import->add_flag("--dry-run", import_dry_run, "show what would be imported; write nothing");
  CLI11_PARSE(cli, argc, argv);

  // Log lines go to stderr; stdout carries only what a person starting the server must see.
  spdlog::set_default_logger(spdlog::stderr_color_mt("tessera"));
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int rc = import->parsed()
               ? tessera::app::import_command(config_file, import_source, import_database,
                                              import_key, import_dry_run)
           : rotate->parsed() ? tessera::app::key_rotate_command(config_file, new_key_file)
           : verify->parsed() ? tessera::app::audit_verify_command(config_file)
           : admin->parsed()
               ? tessera::app::admin_command(config_file, admin_action, admin_name, admin_value)
           : check_config ? tessera::app::check_config_command(config_file)
           : list_plugins ? tessera::app::list_plugins_command(config_file)
                          : tessera::app::serve_command(config_file);
  curl_global_cleanup();
  return rc;
}
