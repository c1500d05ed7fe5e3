#include "server/plugins/plugin_process.hpp"

#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "server/plugins/bounded_sink.hpp"
#include "server/plugins/plugin_process_exit.hpp"

extern char** environ;

namespace tessera::plugins {
namespace {

constexpr auto kLongestBackoff = std::chrono::seconds(30);
constexpr auto kFirstBackoff = std::chrono::milliseconds(250);
// A child that lived this long was healthy: the back-off starts again from the beginning.
constexpr auto kHealthyLife = std::chrono::seconds(60);

tessera_status status_of(const std::string& field) {
  if (field.size() != 1 || field[0] < '0' || field[0] > '4') return TESSERA_ERR_INTERNAL;
  return static_cast<tessera_status>(field[0] - '0');
}

tessera_str str(const std::string& s) {
  return {s.data(), s.size()};
}

// Beside the server's binary (the build tree), else in <prefix>/lib/tessera (installed).
std::filesystem::path find_plugin_host() {
  std::error_code ec;
  const auto bin = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
  auto beside = bin / "tessera-plugin-host";
  if (std::filesystem::exists(beside, ec)) return beside;
  return bin.parent_path() / "lib" / "tessera" / "tessera-plugin-host";
}

std::string describe(int status, unsigned memory_mb) {
  if (WIFSIGNALED(status))
    return "signal " + std::to_string(WTERMSIG(status)) + " (" + ::strsignal(WTERMSIG(status)) +
           ")";
  if (WIFEXITED(status) && WEXITSTATUS(status) == kExitOutOfMemory)
    return "it ran out of memory within its limit of " + std::to_string(memory_mb) +
           " MiB (plugins.process_memory_mb)";
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  return "status " + std::to_string(status);
}

// Runs a call of the child's plugin into the host API, as the host runs any plugin's.
Channel::Fields answer_host(HostContext& context, Channel::Fields r) {
  const auto* api = host_api();
  const auto op = r.empty() ? std::string() : r[0];
  if (op == "store_get" && r.size() == 3) {
    BoundedSink value;
    const auto status = api->store_get(&context, str(r[1]), str(r[2]), value.get());
    return {std::to_string(status), value.text()};
  }
  if (op == "store_set" && r.size() == 5)
    return {std::to_string(api->store_set(&context, str(r[1]), str(r[2]), str(r[3]), r[4] == "1"))};
  if (op == "store_add" && r.size() == 5) {
    int added = 0;
    const auto status =
        api->store_add(&context, str(r[1]), str(r[2]), str(r[3]), r[4] == "1", &added);
    return {std::to_string(status), added ? "1" : "0"};
  }
  if (op == "store_delete" && r.size() == 3)
    return {std::to_string(api->store_delete(&context, str(r[1]), str(r[2])))};
  if (op == "http" && r.size() == 14) {
    tessera_http_request request{};
    request.struct_size = static_cast<uint32_t>(
        std::min<unsigned long>(std::strtoul(r[1].c_str(), nullptr, 10), sizeof request));
    request.method = str(r[2]);
    request.url = str(r[3]);
    request.headers = str(r[4]);
    request.body = str(r[5]);
    request.timeout_ms = static_cast<uint32_t>(std::strtoul(r[6].c_str(), nullptr, 10));
    request.trusted_ca_pem = str(r[7]);
    request.auth = static_cast<uint32_t>(std::strtoul(r[8].c_str(), nullptr, 10));
    request.username = str(r[9]);
    request.password = str(r[10]);
    request.keytab = str(r[11]);
    request.client_certificate_pem = str(r[12]);
    request.client_key_pem = str(r[13]);
    int32_t code = 0;
    BoundedSink headers, body, error(64 * 1024);
    const auto status =
        api->http_exchange(&context, &request, &code, headers.get(), body.get(), error.get());
    return {std::to_string(status), std::to_string(code), headers.text(), body.text(),
            error.text()};
  }
  if (op == "radius" && r.size() == 5) {
    const tessera_radius_request request{sizeof(tessera_radius_request), str(r[1]), str(r[2]),
                                         str(r[3]), str(r[4])};
    int32_t code = 0;
    BoundedSink message(64 * 1024), state(64 * 1024), error(64 * 1024);
    const auto status =
        api->radius_request(&context, &request, &code, message.get(), state.get(), error.get());
    return {std::to_string(status), std::to_string(code), message.text(), state.text(),
            error.text()};
  }
  return {std::to_string(TESSERA_ERR_INVALID_ARGUMENT)};
}

}  // namespace

PluginProcess::PluginProcess(HostContext context, int plugin_fd, PluginIsolation options)
    : context_(std::move(context)), plugin_fd_(plugin_fd), options_(std::move(options)) {
  if (options_.host_binary.empty()) options_.host_binary = find_plugin_host();
}

PluginProcess::~PluginProcess() {
  std::shared_ptr<Child> child;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    child = child_;
  }
  if (child && !child->channel->closed()) {
    child->channel->ask({"shutdown"}, std::chrono::seconds(5));
    ::kill(child->pid, SIGKILL);
    child->channel->close();
  }
  // Each child's reader calls ended() on this object: wait for them (briefly, not forever).
  std::unique_lock lock(mutex_);
  reaped_.wait_for(lock, std::chrono::seconds(2), [&] { return unreaped_ == 0; });
  lock.unlock();
  ::close(plugin_fd_);
}

std::shared_ptr<PluginProcess::Child> PluginProcess::launch_first(std::string& error) {
  std::lock_guard starting(start_mutex_);
  return launch(error);
}

bool PluginProcess::finish_first(const std::shared_ptr<Child>& child, std::string& error) {
  std::lock_guard starting(start_mutex_);
  if (!child || !handshake(child, error)) return false;
  std::lock_guard lock(mutex_);
  child_ = child;
  return true;
}

std::shared_ptr<PluginProcess::Child> PluginProcess::spawn(std::string& why) {
  auto child = launch(why);
  return child && handshake(child, why) ? child : nullptr;
}

std::shared_ptr<PluginProcess::Child> PluginProcess::launch(std::string& why) {
  int ends[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
    why = std::string("cannot make its socket: ") + std::strerror(errno);
    return nullptr;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // dup2 clears close-on-exec on the copies the child keeps.
  posix_spawn_file_actions_adddup2(&actions, ends[1], 3);
  posix_spawn_file_actions_adddup2(&actions, plugin_fd_, 4);
  const auto binary = options_.host_binary.string();
  const auto memory = std::to_string(options_.memory_mb);
  std::vector<char*> argv{const_cast<char*>(binary.c_str()),
                          const_cast<char*>("--plugin"),
                          const_cast<char*>(context_.plugin_id.c_str()),
                          const_cast<char*>("--memory-mb"),
                          const_cast<char*>(memory.c_str()),
                          nullptr};
  // An empty environment: nothing of the server's (a database password in a variable) reaches
  // the plugin's process.
  char* no_environment[] = {nullptr};
  pid_t pid = -1;
  const int failed =
      ::posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), no_environment);
  posix_spawn_file_actions_destroy(&actions);
  ::close(ends[1]);
  if (failed) {
    ::close(ends[0]);
    why = "cannot start " + binary + ": " + std::strerror(failed);
    return nullptr;
  }
  auto child = std::make_shared<Child>();
  child->pid = pid;
  child->started = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    child->number = ++starts_;
    ++unreaped_;
  }
  // The host API runs with a copy of the context: a request may still run at the server's end.
  child->channel = Channel::open(
      ends[0],
      [context = context_](Channel::Fields request) mutable {
        return answer_host(context, std::move(request));
      },
      [context = context_](Channel::Fields notice) mutable {
        if (notice.size() == 3 && notice[0] == "log")
          host_api()->log(&context, static_cast<tessera_log_level>(std::atoi(notice[1].c_str())),
                          str(notice[2]));
      },
      [this, child] { ended(child); });
  return child;
}

bool PluginProcess::handshake(const std::shared_ptr<Child>& child, std::string& why) {
  auto reply = child->channel->ask({"init"}, std::chrono::seconds(60));
  if (!reply || reply->size() != 2 || status_of((*reply)[0]) != TESSERA_OK) {
    why = "init failed: " + (reply && reply->size() == 2 ? (*reply)[1] : lost(child));
    ::kill(child->pid, SIGKILL);
    child->channel->close();
    return false;
  }
  spdlog::info("plugin {} runs in process {} (tessera-plugin-host, limit {} MiB)",
               context_.plugin_id, child->pid, options_.memory_mb);
  return true;
}

void PluginProcess::ended(const std::shared_ptr<Child>& child) {
  int status = 0;
  pid_t reaped = 0;
  // A child that closed its socket is ending; one that does not within half a second is made to.
  for (int i = 0; i < 50 && (reaped = ::waitpid(child->pid, &status, WNOHANG)) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (reaped == 0) {
    ::kill(child->pid, SIGKILL);
    ::waitpid(child->pid, &status, 0);
  }
  std::lock_guard lock(mutex_);
  child->dead = true;
  child->end_cause =
      child->kill_reason.empty() ? describe(status, options_.memory_mb) : child->kill_reason;
  if (child_ == child) {
    const auto now = std::chrono::steady_clock::now();
    if (now - child->started > kHealthyLife) backoff_ = kFirstBackoff;
    next_start_ = now + backoff_;
    last_end_ = child->end_cause;
    if (!stopping_)
      spdlog::error(
          "plugin {}: its process {} ended: {}; its calls fail as unavailable until a new one "
          "starts, in {} ms",
          context_.plugin_id, child->pid, child->end_cause, backoff_.count());
    backoff_ = std::min<std::chrono::milliseconds>(backoff_ * 2, kLongestBackoff);
  }
  --unreaped_;
  reaped_.notify_all();
}

std::string PluginProcess::lost(const std::shared_ptr<Child>& child) const {
  std::lock_guard lock(mutex_);
  return "the process of plugin " + context_.plugin_id + " ended during the call: " +
         (child->end_cause.empty() ? "its connection broke" : child->end_cause) +
         "; a new one is started";
}

std::shared_ptr<PluginProcess::Child> PluginProcess::running(std::string& why) {
  {
    std::lock_guard lock(mutex_);
    if (child_ && !child_->dead) return child_;
  }
  std::lock_guard starting(start_mutex_);
  {
    std::lock_guard lock(mutex_);
    if (child_ && !child_->dead) return child_;
    if (stopping_) {
      why = "the server is stopping";
      return nullptr;
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        next_start_ - std::chrono::steady_clock::now());
    if (wait.count() > 0) {
      why = "its process ended (" + last_end_ + "); a new one starts in " +
            std::to_string(wait.count()) + " ms";
      return nullptr;
    }
  }
  auto child = spawn(why);
  std::lock_guard lock(mutex_);
  if (!child || child->dead) {
    if (child) why = child->end_cause;
    last_end_ = why;
    next_start_ = std::chrono::steady_clock::now() + backoff_;
    backoff_ = std::min<std::chrono::milliseconds>(backoff_ * 2, kLongestBackoff);
    spdlog::error("plugin {}: cannot start its process again: {}", context_.plugin_id, why);
    return nullptr;
  }
  spdlog::warn("plugin {}: started a new process {} after the last one ended ({})",
               context_.plugin_id, child->pid, last_end_);
  child_ = child;
  return child;
}

tessera_status PluginProcess::make_remote(const std::shared_ptr<Child>& child,
                                          const Instance& instance, std::string& remote,
                                          std::string& message) {
  auto reply = child->channel->ask(
      {"create", std::to_string(instance.kind), instance.type_id, instance.name, instance.config});
  if (!reply || reply->size() != 2) {
    message = lost(child);
    return TESSERA_ERR_UNAVAILABLE;
  }
  const auto status = status_of((*reply)[0]);
  (status == TESSERA_OK ? remote : message) = std::move((*reply)[1]);
  return status;
}

tessera_status PluginProcess::create(uint32_t kind, const std::string& type_id,
                                     const std::string& name, const std::string& config,
                                     uint64_t& instance, std::string& message) {
  auto child = running(message);
  if (!child) return TESSERA_ERR_UNAVAILABLE;
  Instance made{kind, type_id, name, config, child->number, {}};
  const auto status = make_remote(child, made, made.remote, message);
  if (status != TESSERA_OK) return status;
  std::lock_guard lock(mutex_);
  instance = next_instance_++;
  instances_[instance] = std::move(made);
  return TESSERA_OK;
}

void PluginProcess::destroy(uint64_t instance) {
  std::lock_guard lock(mutex_);
  auto it = instances_.find(instance);
  if (it == instances_.end()) return;
  if (child_ && !child_->dead && child_->number == it->second.child)
    child_->channel->tell({"destroy", it->second.remote});
  instances_.erase(it);
}

tessera_status PluginProcess::call(uint64_t instance, int slot, const std::string& request,
                                   std::string& result, std::atomic<uint64_t>& child_number) {
  std::string why;
  auto child = running(why);
  if (!child) {
    result = "plugin " + context_.plugin_id + " cannot take calls: " + why;
    return TESSERA_ERR_UNAVAILABLE;
  }
  child_number = child->number;
  Instance wanted;
  {
    std::lock_guard lock(mutex_);
    auto it = instances_.find(instance);
    if (it == instances_.end()) {
      result = "unknown instance";
      return TESSERA_ERR_INTERNAL;
    }
    wanted = it->second;
  }
  // An instance made in a child that has since ended is made again in this one, from the
  // configuration it was made with.
  if (wanted.child != child->number) {
    wanted.remote.clear();
    const auto status = make_remote(child, wanted, wanted.remote, result);
    if (status != TESSERA_OK) return status;
    std::lock_guard lock(mutex_);
    if (auto it = instances_.find(instance); it != instances_.end()) {
      it->second.child = child->number;
      it->second.remote = wanted.remote;
    }
  }
  auto reply = child->channel->ask({"call", wanted.remote, std::to_string(slot), request});
  if (reply && reply->empty()) {
    result = "the process of plugin " + context_.plugin_id + " is answering " +
             std::to_string(Channel::kMaxAnswering) + " calls already";
    return TESSERA_ERR_UNAVAILABLE;
  }
  if (!reply || reply->size() != 2) {
    result = lost(child);
    return TESSERA_ERR_UNAVAILABLE;
  }
  result = std::move((*reply)[1]);
  return status_of((*reply)[0]);
}

void PluginProcess::stop_stuck(uint64_t child_number, const std::string& why) {
  std::lock_guard lock(mutex_);
  if (!child_ || child_->dead || child_->number != child_number) return;
  child_->kill_reason = "stopped by the server: " + why;
  ::kill(child_->pid, SIGKILL);
}

uint64_t PluginProcess::starts() const {
  std::lock_guard lock(mutex_);
  return starts_;
}

}  // namespace tessera::plugins
