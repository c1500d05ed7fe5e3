// tessera-plugin-host: runs one plugin in a process of its own, for a server whose
// plugins.isolation puts that plugin there. The server starts it with the plugin file open on
// descriptor 4 and its socket on descriptor 3; the plugin sees the same ABI as in the server,
// and its calls into the host API travel back over the socket. A crash, a leak past the memory
// limit or a hang ends this process only: the server answers the call as failed and starts a
// new one.
#include <dlfcn.h>
#include <malloc.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <string>
#include <thread>

#include "server/plugins/abi_access.hpp"
#include "server/plugins/channel.hpp"
#include "server/plugins/plugin_process_exit.hpp"

namespace tessera::plugins {
namespace {

constexpr int kChannelFd = 3;
constexpr int kPluginFd = 4;

std::string view(tessera_str s) {
  return {s.data ? s.data : "", s.size};
}

void write_to(const tessera_sink* sink, const std::string& text) {
  if (sink && sink->write) sink->write(sink->context, text.data(), text.size());
}

tessera_status status_of(const std::string& field) {
  const int value = field.empty() ? 4 : std::atoi(field.c_str());
  return value >= 0 && value <= 4 ? static_cast<tessera_status>(value) : TESSERA_ERR_INTERNAL;
}

// Collects what the plugin writes to a sink.
struct TextSink {
  std::string text;
  tessera_sink sink{this, [](void* self, const char* data, size_t size) {
                      try {
                        static_cast<TextSink*>(self)->text.append(data, size);
                      } catch (...) {
                      }
                    }};
};

std::shared_ptr<Channel> server;  // set before the plugin runs any code

// The host API, forwarded to the server.
void log(void*, tessera_log_level level, tessera_str message) {
  server->tell({"log", std::to_string(level), view(message)});
}

tessera_status random_bytes(void*, uint8_t* out, size_t size) {
  while (size > 0) {
    const auto n = ::getrandom(out, size, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return TESSERA_ERR_UNAVAILABLE;
    }
    out += n;
    size -= static_cast<size_t>(n);
  }
  return TESSERA_OK;
}

int64_t now_unix_ms(void*) {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// The server's answer: its status, and the rest for the caller.
std::optional<Channel::Fields> forward(Channel::Fields request, size_t reply_fields) {
  auto reply = server->ask(std::move(request));
  if (!reply || reply->size() != reply_fields) return std::nullopt;
  return reply;
}

tessera_status store_get(void*, tessera_str object, tessera_str key, const tessera_sink* out) {
  auto reply = forward({"store_get", view(object), view(key)}, 2);
  if (!reply) return TESSERA_ERR_UNAVAILABLE;
  const auto status = status_of((*reply)[0]);
  if (status == TESSERA_OK) write_to(out, (*reply)[1]);
  return status;
}

tessera_status store_set(void*, tessera_str object, tessera_str key, tessera_str value,
                         int secret) {
  auto reply = forward({"store_set", view(object), view(key), view(value), secret ? "1" : "0"}, 1);
  return reply ? status_of((*reply)[0]) : TESSERA_ERR_UNAVAILABLE;
}

tessera_status store_add(void*, tessera_str object, tessera_str key, tessera_str value, int secret,
                         int* added) {
  if (!added) return TESSERA_ERR_INVALID_ARGUMENT;
  *added = 0;
  auto reply = forward({"store_add", view(object), view(key), view(value), secret ? "1" : "0"}, 2);
  if (!reply) return TESSERA_ERR_UNAVAILABLE;
  *added = (*reply)[1] == "1";
  return status_of((*reply)[0]);
}

tessera_status store_delete(void*, tessera_str object, tessera_str key) {
  auto reply = forward({"store_delete", view(object), view(key)}, 1);
  return reply ? status_of((*reply)[0]) : TESSERA_ERR_UNAVAILABLE;
}

tessera_status http_exchange(void*, const tessera_http_request* request, int32_t* status_code,
                             const tessera_sink* headers_out, const tessera_sink* body_out,
                             const tessera_sink* error_out) {
  if (!request || !status_code) return TESSERA_ERR_INVALID_ARGUMENT;
  // The fields the plugin's struct has; the server reads them by the same struct_size.
  tessera_http_request full{};
  std::memcpy(&full, request, std::min<size_t>(request->struct_size, sizeof full));
  auto reply =
      forward({"http", std::to_string(request->struct_size), view(full.method), view(full.url),
               view(full.headers), view(full.body), std::to_string(full.timeout_ms),
               view(full.trusted_ca_pem), std::to_string(full.auth), view(full.username),
               view(full.password), view(full.keytab), view(full.client_certificate_pem),
               view(full.client_key_pem)},
              5);
  if (!reply) {
    write_to(error_out, "the server did not answer");
    return TESSERA_ERR_UNAVAILABLE;
  }
  const auto status = status_of((*reply)[0]);
  if (status == TESSERA_OK) {
    *status_code = std::atoi((*reply)[1].c_str());
    write_to(headers_out, (*reply)[2]);
    write_to(body_out, (*reply)[3]);
  } else {
    write_to(error_out, (*reply)[4]);
  }
  return status;
}

tessera_status http_request(void* context, const tessera_http_request* request,
                            int32_t* status_code, const tessera_sink* body_out,
                            const tessera_sink* error_out) {
  return http_exchange(context, request, status_code, nullptr, body_out, error_out);
}

tessera_status radius_request(void*, const tessera_radius_request* request, int32_t* code,
                              const tessera_sink* message_out, const tessera_sink* state_out,
                              const tessera_sink* error_out) {
  if (!request || request->struct_size < sizeof(tessera_radius_request) || !code)
    return TESSERA_ERR_INVALID_ARGUMENT;
  auto reply = forward({"radius", view(request->server), view(request->user),
                        view(request->password), view(request->state)},
                       5);
  if (!reply) {
    write_to(error_out, "the server did not answer");
    return TESSERA_ERR_UNAVAILABLE;
  }
  const auto status = status_of((*reply)[0]);
  if (status == TESSERA_OK) {
    *code = std::atoi((*reply)[1].c_str());
    write_to(message_out, (*reply)[2]);
    write_to(state_out, (*reply)[3]);
  } else {
    write_to(error_out, (*reply)[4]);
  }
  return status;
}

const tessera_host_api_v1 kForwardingHostApi{sizeof(tessera_host_api_v1),
                                             &log,
                                             &random_bytes,
                                             &now_unix_ms,
                                             &store_get,
                                             &store_set,
                                             &store_delete,
                                             &http_request,
                                             &http_exchange,
                                             &store_add,
                                             TESSERA_ABI_VERSION_MINOR,
                                             &radius_request};

// The plugin and the instances the server made of its components.
struct Plugin {
  const tessera_plugin_v1* descriptor = nullptr;
  void* state = nullptr;
  std::mutex mutex;
  std::map<uint64_t, std::pair<const tessera_component_v1*, void*>> instances;
  uint64_t next_instance = 1;

  const tessera_component_v1* find(uint32_t kind, const std::string& type_id) const {
    for (size_t i = 0; i < descriptor->component_count; ++i) {
      const auto& c = component_at(*descriptor, i);
      if (c.kind == kind && type_id == c.type_id) return &c;
    }
    return nullptr;
  }
  std::pair<const tessera_component_v1*, void*> instance(const std::string& id) {
    std::lock_guard lock(mutex);
    auto it = instances.find(std::strtoull(id.c_str(), nullptr, 10));
    return it == instances.end() ? std::pair<const tessera_component_v1*, void*>{} : it->second;
  }
};

Plugin plugin;
std::mutex ending_mutex;
std::condition_variable ending;
bool ended = false;

void end() {
  std::lock_guard lock(ending_mutex);
  ended = true;
  ending.notify_all();
}

Channel::Fields answer(Channel::Fields request) {
  const auto& op = request.at(0);
  TextSink out;
  if (op == "init") {
    const auto status =
        plugin.descriptor->init(&kForwardingHostApi, nullptr, &plugin.state, &out.sink);
    return {std::to_string(status), out.text};
  }
  if (op == "create" && request.size() == 5) {
    const auto* component =
        plugin.find(static_cast<uint32_t>(std::atoi(request[1].c_str())), request[2]);
    if (!component) return {std::to_string(TESSERA_ERR_NOT_FOUND), "no such component"};
    void* made = nullptr;
    const auto status =
        component->vtable->create(plugin.state, {request[3].data(), request[3].size()},
                                  {request[4].data(), request[4].size()}, &made, &out.sink);
    if (status != TESSERA_OK || !made)
      return {std::to_string(status == TESSERA_OK ? TESSERA_ERR_INTERNAL : status), out.text};
    std::lock_guard lock(plugin.mutex);
    const auto id = plugin.next_instance++;
    plugin.instances[id] = {component, made};
    return {"0", std::to_string(id)};
  }
  if (op == "call" && request.size() == 4) {
    auto [component, instance] = plugin.instance(request[1]);
    const auto fn =
        component ? operation_at(*component->vtable, std::atoi(request[2].c_str())) : nullptr;
    if (!fn) return {std::to_string(TESSERA_ERR_NOT_FOUND), "no such instance or operation"};
    const auto status = fn(instance, {request[3].data(), request[3].size()}, &out.sink);
    return {std::to_string(status), std::move(out.text)};
  }
  if (op == "shutdown") {
    std::map<uint64_t, std::pair<const tessera_component_v1*, void*>> left;
    {
      std::lock_guard lock(plugin.mutex);
      left.swap(plugin.instances);
    }
    for (auto& [id, made] : left) made.first->vtable->destroy(made.second);
    plugin.descriptor->shutdown(plugin.state);
    end();
    return {"0"};
  }
  return {std::to_string(TESSERA_ERR_INVALID_ARGUMENT), "unknown request " + op};
}

void take_notice(Channel::Fields notice) {
  if (notice.size() == 2 && notice[0] == "destroy") {
    std::pair<const tessera_component_v1*, void*> made{};
    {
      std::lock_guard lock(plugin.mutex);
      auto it = plugin.instances.find(std::strtoull(notice[1].c_str(), nullptr, 10));
      if (it == plugin.instances.end()) return;
      made = it->second;
      plugin.instances.erase(it);
    }
    made.first->vtable->destroy(made.second);
  }
}

unsigned memory_limit_mb = 0;

[[noreturn]] void out_of_memory() {
  // No allocation from here on: say why on stderr (the server's log) and end with the code the
  // server reads as "ran out of memory".
  char line[160];
  const int n = std::snprintf(line, sizeof line,
                              "tessera-plugin-host: out of memory within its limit of %u MiB\n",
                              memory_limit_mb);
  if (n > 0) (void)!::write(2, line, static_cast<size_t>(n));
  ::_exit(kExitOutOfMemory);
}

}  // namespace
}  // namespace tessera::plugins

int main(int argc, char** argv) {
  using namespace tessera::plugins;
  // Ends with the server, whatever way the server ends.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  for (int i = 1; i + 1 < argc; i += 2)
    if (std::string(argv[i]) == "--memory-mb")
      memory_limit_mb = static_cast<unsigned>(std::strtoul(argv[i + 1], nullptr, 10));
  if (memory_limit_mb) {
    // Few malloc arenas: each reserves 64 MiB of address space, which the limit counts.
    ::mallopt(M_ARENA_MAX, 2);
    const rlim_t bytes = static_cast<rlim_t>(memory_limit_mb) * 1024 * 1024;
    const rlimit limit{bytes, bytes};
    ::setrlimit(RLIMIT_AS, &limit);
  }
  const rlimit no_core{0, 0};  // a crash leaves no core file with the plugin's secrets in it
  ::setrlimit(RLIMIT_CORE, &no_core);
  std::set_new_handler(&out_of_memory);

  const auto path = "/proc/self/fd/" + std::to_string(kPluginFd);
  void* library = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    std::fprintf(stderr, "tessera-plugin-host: cannot load the plugin: %s\n", ::dlerror());
    return 2;
  }
  auto entry =
      reinterpret_cast<tessera_plugin_entry_fn>(::dlsym(library, TESSERA_PLUGIN_ENTRY_SYMBOL));
  plugin.descriptor = entry ? entry() : nullptr;
  if (!plugin.descriptor) {
    std::fprintf(stderr, "tessera-plugin-host: the file is not a Tessera plugin\n");
    return 2;
  }
  server = Channel::open(kChannelFd, &answer, &take_notice, &end);
  std::unique_lock lock(ending_mutex);
  ending.wait(lock, [] { return ended; });
  lock.unlock();
  // Let the reply to shutdown leave before the process goes.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ::_exit(0);
}
