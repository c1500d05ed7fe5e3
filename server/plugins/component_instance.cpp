// Calls across the ABI: strings out as views, results back through a sink into our own memory,
// on a plugin thread with a deadline when the host has one.
#include "server/plugins/component_instance.hpp"

#include <atomic>
#include <cstddef>
#include <mutex>

#include <boost/json/serialize.hpp>

#include "server/plugins/abi_access.hpp"
#include "server/plugins/answer_limits.hpp"
#include "server/plugins/bounded_sink.hpp"
#include "server/plugins/plugin_bulkheads.hpp"
#include "server/plugins/plugin_calls.hpp"
#include "server/plugins/strict_json.hpp"

namespace tessera::plugins {
namespace {

std::string kind_noun(uint32_t kind) {
  switch (kind) {
    case TESSERA_COMPONENT_TOKEN_TYPE:
      return "token type";
    case TESSERA_COMPONENT_CA_CONNECTOR:
      return "CA connector";
    case TESSERA_COMPONENT_NOTIFICATION_ACTION:
      return "notification action";
  }
  return "component";
}

// Runs fn within the deadline where the host bounds calls; false when it passed.
bool bounded(PluginCalls* calls, std::chrono::milliseconds deadline, std::function<void()> fn) {
  if (!calls) {
    fn();
    return true;
  }
  return calls->run(std::move(fn), deadline);
}

}  // namespace

std::shared_ptr<ComponentInstance> ComponentInstance::create(std::shared_ptr<LoadedPlugin> plugin,
                                                             const tessera_component_v1& component,
                                                             const std::string& name,
                                                             const boost::json::object& config) {
  // Owned by the call as well as by us: a constructor that passes its deadline finishes later,
  // and what it made is destroyed then.
  struct Creation {
    std::mutex mutex;
    std::string name, config;
    BoundedSink error{64 * 1024};
    void* instance = nullptr;
    uint64_t remote = 0;  // in a child process
    std::string message;
    tessera_status status = TESSERA_ERR_INTERNAL;
    bool abandoned = false;
  };
  auto creation = std::make_shared<Creation>();
  creation->name = name;
  creation->config = boost::json::serialize(config);
  auto* calls = plugin->services().calls;
  const auto deadline = calls ? calls->deadlines().create : std::chrono::milliseconds(0);
  if (auto* process = plugin->process()) {
    // In a child process: the instance lives there, under the name the child gives it.
    const bool answered = bounded(calls, deadline, [creation, plugin, process, &component] {
      uint64_t made = 0;
      std::string message;
      const auto status = process->create(component.kind, component.type_id, creation->name,
                                          creation->config, made, message);
      std::lock_guard lock(creation->mutex);
      if (creation->abandoned) {
        if (status == TESSERA_OK) process->destroy(made);
        return;
      }
      creation->status = status;
      creation->remote = made;
      creation->message = std::move(message);
    });
    std::lock_guard lock(creation->mutex);
    const auto what =
        "cannot create " + std::string(component.type_id) + " instance '" + name + "'";
    if (!answered) {
      creation->abandoned = true;
      throw PluginCallError(TESSERA_ERR_UNAVAILABLE, what + ": it did not answer within " +
                                                         std::to_string(deadline.count()) + " ms");
    }
    if (creation->status != TESSERA_OK)
      throw PluginCallError(creation->status,
                            what + ": " + limits::cut(creation->message, limits::kFailureText));
    auto made = std::shared_ptr<ComponentInstance>(
        new ComponentInstance(std::move(plugin), component, name, nullptr));
    made->remote_ = creation->remote;
    return made;
  }
  const bool answered = bounded(calls, deadline, [creation, plugin, &component] {
    void* made = nullptr;
    const auto status = component.vtable->create(
        plugin->state(), {creation->name.data(), creation->name.size()},
        {creation->config.data(), creation->config.size()}, &made, creation->error.get());
    std::lock_guard lock(creation->mutex);
    if (creation->abandoned) {
      if (status == TESSERA_OK && made) component.vtable->destroy(made);
      return;
    }
    creation->status = status;
    creation->instance = made;
  });
  std::lock_guard lock(creation->mutex);
  const auto what = "cannot create " + std::string(component.type_id) + " instance '" + name + "'";
  if (!answered) {
    creation->abandoned = true;
    if (creation->instance) component.vtable->destroy(creation->instance);
    throw PluginCallError(TESSERA_ERR_UNAVAILABLE, what + ": it did not answer within " +
                                                       std::to_string(deadline.count()) + " ms");
  }
  if (creation->status != TESSERA_OK || !creation->instance)
    throw PluginCallError(creation->status == TESSERA_OK ? TESSERA_ERR_INTERNAL : creation->status,
                          what + ": " + limits::cut(creation->error.text(), limits::kFailureText));
  return std::shared_ptr<ComponentInstance>(
      new ComponentInstance(std::move(plugin), component, name, creation->instance));
}

ComponentInstance::~ComponentInstance() {
  if (auto* process = plugin_->process())
    process->destroy(remote_);
  else
    component_.vtable->destroy(instance_);
}

std::string ComponentInstance::label() const {
  std::string label = component_.type_id;
  if (!name_.empty() && name_ != label) label += " '" + name_ + "'";
  return label;
}

tessera_operation_fn ComponentInstance::slot(Operation op) const {
  const auto wanted = slot_of(op);
  if (component_.kind != static_cast<uint32_t>(wanted.kind)) return nullptr;
  if (plugin_->descriptor().abi_minor < wanted.since_minor) return nullptr;
  return operation_at(*component_.vtable, wanted.slot);
}

bool ComponentInstance::has(Operation op) const {
  return slot(op) != nullptr;
}

boost::json::object ComponentInstance::call(Operation op,
                                            const boost::json::object& request) const {
  const auto fn = slot(op);
  const auto name = slot_of(op).name;
  if (!fn)
    throw PluginCallError(TESSERA_ERR_INVALID_ARGUMENT, "the " + kind_noun(component_.kind) + " " +
                                                            label() + " has no operation " + name);
  // The call owns its request, its result and this instance: a call that passes its deadline
  // goes on after we have stopped waiting.
  struct Exchange {
    std::string request;
    BoundedSink result;
    tessera_status status = TESSERA_ERR_INTERNAL;
    std::atomic<uint64_t> child{0};  // the child process that ran it, if any
  };
  // The plugin's share of the calls: none left, and the call is refused at once.
  auto* bulkheads = plugin_->services().bulkheads;
  std::shared_ptr<void> place;
  using Outcome = PluginBulkheads::Outcome;
  const auto started = std::chrono::steady_clock::now();
  const auto record = [&](Outcome outcome) {
    if (bulkheads)
      bulkheads->record(
          plugin_->id(), component_.type_id, name, outcome,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  };
  if (bulkheads && !(place = bulkheads->enter(plugin_->id(), component_.type_id))) {
    record(Outcome::busy);
    throw PluginCallError(TESSERA_ERR_UNAVAILABLE,
                          label() +
                              " is busy: every call it may take at once is running "
                              "(plugins.concurrency)");
  }
  auto exchange = std::make_shared<Exchange>();
  exchange->request = boost::json::serialize(request);
  // An inline plugin (plugins.isolation) is called on this thread: no hand-off, no deadline.
  auto* calls = plugin_->calls_inline() ? nullptr : plugin_->services().calls;
  const auto deadline =
      calls ? calls->deadlines().of(static_cast<tessera_component_kind>(component_.kind))
            : std::chrono::milliseconds(0);
  auto self = shared_from_this();
  // The place goes with the call: it is given back when the call really ends.
  auto* process = plugin_->process();
  const int slot = slot_of(op).slot;
  const bool answered = bounded(calls, deadline, [self, exchange, fn, place, process, slot] {
    if (process) {
      std::string answer;
      exchange->status =
          process->call(self->remote_, slot, exchange->request, answer, exchange->child);
      const auto* sink = exchange->result.get();
      sink->write(sink->context, answer.data(), answer.size());
      return;
    }
    exchange->status = fn(self->instance_, {exchange->request.data(), exchange->request.size()},
                          exchange->result.get());
  });
  if (!answered) {
    record(Outcome::deadline);
    // A child process stuck in a call is ended (and a new one started), which also frees the
    // call's place; a plugin in the server can only be left to finish.
    if (process)
      process->stop_stuck(exchange->child, "its call " + std::string(name) +
                                               " passed the deadline of " +
                                               std::to_string(deadline.count()) + " ms");
    throw PluginCallError(TESSERA_ERR_UNAVAILABLE, label() + " did not answer " + name +
                                                       " within " +
                                                       std::to_string(deadline.count()) + " ms");
  }
  if (exchange->result.overflowed()) {
    record(Outcome::failed);
    throw PluginCallError(TESSERA_ERR_INTERNAL, label() + " wrote more than the host accepts");
  }
  if (exchange->status != TESSERA_OK) {
    record(Outcome::failed);
    throw PluginCallError(exchange->status,
                          limits::cut(exchange->result.text(), limits::kFailureText));
  }
  std::string error;
  auto value = parse_strict_object(exchange->result.text(), &error);
  if (!value) {
    record(Outcome::failed);
    throw PluginCallError(TESSERA_ERR_INTERNAL, label() + " " + error + " (" + name + ")");
  }
  record(Outcome::ok);
  return std::move(*value);
}

}  // namespace tessera::plugins
