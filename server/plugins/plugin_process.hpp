// A plugin that runs in a child process (tessera-plugin-host) instead of in the server, for
// plugins.isolation: process. The server keeps the plugin's descriptor (its library is loaded
// to read it, but none of its functions run here) and sends every create, call and destroy to
// the child; the child's calls into the host API come back and run here, as any plugin's do.
// When the child dies (a crash, its memory limit, killed after a call passed its deadline),
// the calls it had fail as unavailable, the cause is logged, and the next call starts a new
// child after a back-off that doubles while children keep dying young.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "server/plugins/channel.hpp"
#include "server/plugins/host_services.hpp"
#include "tessera/abi/tessera_plugin_abi.h"

namespace tessera::plugins {

class PluginProcess {
 public:
  // plugin_fd: an open descriptor of the plugin file, handed to each child (taken over).
  PluginProcess(HostContext context, int plugin_fd, PluginIsolation options);
  // Asks the child to shut the plugin down, and kills it when it does not in time.
  ~PluginProcess();
  PluginProcess(const PluginProcess&) = delete;
  PluginProcess& operator=(const PluginProcess&) = delete;

  // Start the first child and run the plugin's init there, in two halves so that several
  // plugins' children start together: launch_first on a thread that outlives the child (a
  // child dies with the thread that spawned it: PR_SET_PDEATHSIG), then finish_first (the init
  // handshake; false with the reason) on any thread.
  struct Child;
  std::shared_ptr<Child> launch_first(std::string& error);
  bool finish_first(const std::shared_ptr<Child>& child, std::string& error);

  // Makes an instance of a component; on TESSERA_OK, instance names it for call and destroy,
  // otherwise message says why.
  tessera_status create(uint32_t kind, const std::string& type_id, const std::string& name,
                        const std::string& config, uint64_t& instance, std::string& message);
  void destroy(uint64_t instance);
  // Runs operation_<slot> of an instance; result is the plugin's answer or the failure's reason.
  // child names the child that ran it, for stop_stuck.
  tessera_status call(uint64_t instance, int slot, const std::string& request, std::string& result,
                      std::atomic<uint64_t>& child);
  // A call in child passed its deadline: that child is killed (a new one takes later calls).
  void stop_stuck(uint64_t child, const std::string& why);

  // Children started so far, for /metrics.
  uint64_t starts() const;

 private:
  struct Instance {
    uint32_t kind = 0;
    std::string type_id, name, config;
    uint64_t child = 0;  // the child it was made in
    std::string remote;  // its name there
  };

  // The running child (started when none runs and the back-off allows), or the reason there
  // is none.
  std::shared_ptr<Child> running(std::string& why);
  std::shared_ptr<Child> spawn(std::string& why);  // launch + handshake
  std::shared_ptr<Child> launch(std::string& why);
  bool handshake(const std::shared_ptr<Child>& child, std::string& why);
  void ended(const std::shared_ptr<Child>& child);  // on the child's reader thread
  std::string lost(const std::shared_ptr<Child>& child) const;
  tessera_status make_remote(const std::shared_ptr<Child>& child, const Instance& instance,
                             std::string& remote, std::string& message);

  HostContext context_;
  int plugin_fd_;
  PluginIsolation options_;
  std::mutex start_mutex_;  // one start at a time; never held while mutex_ waits on it
  mutable std::mutex mutex_;
  std::condition_variable reaped_;
  unsigned unreaped_ = 0;
  std::shared_ptr<Child> child_;
  std::map<uint64_t, Instance> instances_;
  uint64_t next_instance_ = 1;
  uint64_t starts_ = 0;
  std::string last_end_;  // why the last child ended
  std::chrono::steady_clock::time_point next_start_{};
  std::chrono::milliseconds backoff_{250};
  bool stopping_ = false;
};

// One child process (only PluginProcess looks inside).
struct PluginProcess::Child {
  pid_t pid = -1;
  std::shared_ptr<Channel> channel;
  uint64_t number = 0;
  std::chrono::steady_clock::time_point started;
  std::string kill_reason;  // set when the server killed it
  bool dead = false;
  std::string end_cause;  // why it ended, once it has
};

}  // namespace tessera::plugins
