// Runs the real tessera-server binary for a test: writes a configuration into a fresh
// temporary folder, starts the process on an ephemeral port and reads the URL it prints.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

namespace tessera::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs tessera-server with args and waits for it to exit; stdin_file (if given) is its input.
CommandResult run_server_command(const std::vector<std::string>& args,
                                 const std::vector<std::string>& env = {},
                                 const std::filesystem::path& stdin_file = {});

std::filesystem::path make_temp_dir(const std::string& prefix);

struct ServerOptions {
  bool tls = false;
  std::string database_url;  // empty: SQLite in the data folder
  std::vector<std::string> plugin_directories;
  std::string server_extra;  // YAML lines added under "server:"
  unsigned worker_threads = 2;
  std::string plugins_extra;  // YAML lines added under "plugins:"
  // The tests' receivers listen on loopback, which plugins may reach only when allowed.
  std::vector<std::string> http_allowed_networks{"127.0.0.0/8"};
  std::string top_extra;  // YAML lines added at the top level
  // The first start's default realm and local CA (first_start); off, as tests make their own.
  bool ready_to_use = false;
};

// The configuration text for options, with data in dir.
std::string make_config(const ServerOptions& options, const std::filesystem::path& dir);

class ServerProcess {
 public:
  // Starts the server and waits until it listens; throws with its stderr if it exits first.
  // A dir given by the caller is kept afterwards (to restart in it); otherwise a temporary one
  // is made and removed. env: extra "NAME=value" entries.
  explicit ServerProcess(ServerOptions options = {}, std::filesystem::path dir = {},
                         std::vector<std::string> env = {"TESSERA_ADMIN_PASSWORD=test-admin-pw"});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  const std::string& url() const { return url_; }
  int port() const;
  const std::filesystem::path& dir() const { return dir_; }
  std::string certificate_path() const;  // from the "TLS certificate:" line
  std::string out() const;
  std::string err() const;
  bool running();
  void signal(int sig);
  // The server's resident memory now (VmRSS), in KiB.
  long resident_kib() const;
  // Waits up to timeout_ms for the process to exit; returns its exit code, or -1.
  int wait_exit(int timeout_ms = 15000);

 private:
  std::filesystem::path dir_;
  bool own_dir_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::string url_;
};

}  // namespace tessera::testing
