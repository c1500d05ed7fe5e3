#include "tests/support/server_process.hpp"

#include <chrono>
#include <csignal>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace tessera::testing {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

pid_t spawn(const std::vector<std::string>& args, const std::vector<std::string>& extra_env,
            const std::filesystem::path& out, const std::filesystem::path& err,
            const std::filesystem::path& in = {}) {
  std::vector<std::string> argv_s{TESSERA_SERVER_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The extra entries replace inherited ones of the same name (getenv takes the first match).
  auto overridden = [&](const std::string& entry) {
    for (const auto& extra : extra_env)
      if (entry.compare(0, entry.find('='), extra, 0, extra.find('=')) == 0 &&
          entry.find('=') == extra.find('='))
        return true;
    return false;
  };
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e)
    if (!overridden(*e)) env_s.emplace_back(*e);
  env_s.insert(env_s.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in.empty() ? "/dev/null" : in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv_s[0]);
  return pid;
}

}  // namespace

std::filesystem::path make_temp_dir(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

CommandResult run_server_command(const std::vector<std::string>& args,
                                 const std::vector<std::string>& env,
                                 const std::filesystem::path& stdin_file) {
  auto dir = make_temp_dir("tessera-cmd");
  pid_t pid = spawn(args, env, dir / "out", dir / "err", stdin_file);
  int status = 0;
  waitpid(pid, &status, 0);
  CommandResult result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(dir / "out"),
                       read_file(dir / "err")};
  std::filesystem::remove_all(dir);
  return result;
}

std::string make_config(const ServerOptions& options, const std::filesystem::path& dir) {
  std::ostringstream c;
  c << "server:\n  listen:\n    - { address: 127.0.0.1, port: 0, tls: "
    << (options.tls ? "true" : "false")
    << " }\n  io_threads: 2\n  worker_threads: " << options.worker_threads << "\n"
    << options.server_extra << "data_dir: " << (dir / "data").string() << "\n"
    << "database:\n  url: "
    << (options.database_url.empty() ? "sqlite://" + (dir / "data" / "tessera.db").string()
                                     : options.database_url)
    << "\nplugins:\n  directories: [";
  for (size_t i = 0; i < options.plugin_directories.size(); ++i)
    c << (i ? ", " : "") << options.plugin_directories[i];
  c << "]\n";
  if (!options.http_allowed_networks.empty()) {
    c << "  http_allowed_networks: [";
    for (size_t i = 0; i < options.http_allowed_networks.size(); ++i)
      c << (i ? ", " : "") << options.http_allowed_networks[i];
    c << "]\n";
  }
  c << options.plugins_extra << options.top_extra;
  if (!options.ready_to_use) c << "first_start: { realm: \"\", ca: \"\" }\n";
  return c.str();
}

ServerProcess::ServerProcess(ServerOptions options, std::filesystem::path dir,
                             std::vector<std::string> env)
    : dir_(dir.empty() ? make_temp_dir("tessera-it") : dir), own_dir_(dir.empty()) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "tessera.yaml") << make_config(options, dir_);
  pid_ = spawn({"--config", (dir_ / "tessera.yaml").string()}, env, dir_ / "out", dir_ / "err");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto text = out();
    auto at = text.find("Tessera listening on ");
    if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
      url_ = text.substr(at + 21, text.find('\n', at) - at - 21);
      return;
    }
    if (!running())
      throw std::runtime_error("tessera-server exited with " + std::to_string(exit_code_) + ": " +
                               err());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  signal(SIGKILL);
  throw std::runtime_error("tessera-server did not start listening: " + err());
}

ServerProcess::~ServerProcess() {
  if (running()) {
    signal(SIGTERM);
    if (wait_exit(10000) < 0 && running()) {
      signal(SIGKILL);
      wait_exit(5000);
    }
  }
  std::error_code ignored;
  if (own_dir_) std::filesystem::remove_all(dir_, ignored);
}

int ServerProcess::port() const {
  return std::stoi(url_.substr(url_.rfind(':') + 1));
}

std::string ServerProcess::certificate_path() const {
  auto text = out();
  auto at = text.find("TLS certificate: ");
  if (at == std::string::npos) return {};
  return text.substr(at + 17, text.find('\n', at) - at - 17);
}

std::string ServerProcess::out() const {
  return read_file(dir_ / "out");
}
std::string ServerProcess::err() const {
  return read_file(dir_ / "err");
}

bool ServerProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    pid_ = -1;
    return false;
  }
  return true;
}

void ServerProcess::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

int ServerProcess::wait_exit(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_code_;
}

long ServerProcess::resident_kib() const {
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  return -1;
}

}  // namespace tessera::testing
