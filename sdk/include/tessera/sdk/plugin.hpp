// Turns C++ component classes into the C descriptor the host loads, and puts every call from
// the host through an exception barrier that fails closed. Compiled into the plugin.
//
// Usage, once per plugin, in one source file:
//   TESSERA_PLUGIN("org.example.hello", "1.0.0", tessera::sdk::component<HelloToken>());
// Each component class derives from TokenType, CaConnector or NotificationAction, has a
// constructor taking const ComponentContext&, and a static ComponentInfo describe().
#pragma once

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/json.hpp>

#include "tessera/abi/tessera_plugin_abi.h"
#include "tessera/sdk/ca_connector.hpp"
#include "tessera/sdk/component.hpp"
#include "tessera/sdk/constant_time.hpp"
#include "tessera/sdk/error.hpp"
#include "tessera/sdk/host.hpp"
#include "tessera/sdk/notification_action.hpp"
#include "tessera/sdk/token_type.hpp"

// The SDK's version is the ABI's, made from the ABI header so that the two never disagree: a
// plugin built with SDK 1.x loads in any host of ABI 1.y, y >= x (find_package(TesseraSdk 1.6)
// asks for at least this one).
#define TESSERA_SDK_TEXT_(x) #x
#define TESSERA_SDK_TEXT(x) TESSERA_SDK_TEXT_(x)
#define TESSERA_SDK_VERSION \
  TESSERA_SDK_TEXT(TESSERA_ABI_VERSION_MAJOR) "." TESSERA_SDK_TEXT(TESSERA_ABI_VERSION_MINOR) ".0"

namespace tessera::sdk {

// Runs once when the host loads the plugin; throw to refuse loading (with the message).
using InitFunction = void (*)(const Host& host);
// Runs once before the library is unloaded (at the server's exit), after every instance is
// gone: stop and join the threads the plugin started. What it throws is swallowed.
using ShutdownFunction = void (*)();

namespace detail {

struct PluginState {
  Host host;
};

template <class T>
struct Instance {
  const Host& host;
  std::unique_ptr<T> object;
};

inline void write(const tessera_sink* sink, std::string_view text) noexcept {
  if (sink && sink->write) sink->write(sink->context, text.data(), text.size());
}

// The barrier: no exception ever leaves the plugin; anything unexpected becomes
// TESSERA_ERR_INTERNAL, so the host treats it as a failure, never as success.
template <class Fn>
tessera_status fail_closed(const Host* host, const tessera_sink* error_out, Fn&& fn) noexcept {
  try {
    return fn();
  } catch (const Error& e) {
    write(error_out, e.what());
    return e.status();
  } catch (const std::exception& e) {
    try {  // building the message may itself fail (no memory): still fail closed
      if (host) host->log(TESSERA_LOG_ERROR, std::string("unexpected exception: ") + e.what());
      write(error_out, std::string("internal error in plugin: ") + e.what());
    } catch (...) {
      write(error_out, "internal error in plugin");
    }
    return TESSERA_ERR_INTERNAL;
  } catch (...) {
    write(error_out, "internal error in plugin: unknown exception");
    return TESSERA_ERR_INTERNAL;
  }
}

inline boost::json::object parse_object(tessera_str text, const char* what) {
  boost::system::error_code ec;
  auto value = boost::json::parse(std::string_view(text.data ? text.data : "", text.size), ec);
  if (ec || !value.is_object())
    throw Error::invalid_argument(std::string(what) + " is not a JSON object");
  return std::move(value.as_object());
}

template <class T, class Call>
tessera_status call(void* instance, tessera_str request, const tessera_sink* out, Call&& fn) {
  auto* self = static_cast<Instance<T>*>(instance);
  return fail_closed(&self->host, out, [&] {
    auto result = fn(*self->object, parse_object(request, "the request"));
    write(out, boost::json::serialize(result));
    return TESSERA_OK;
  });
}

// One operation: the member function of the component's base class, called virtually.
template <class T, auto Method>
tessera_status operation(void* instance, tessera_str request, const tessera_sink* out) {
  return call<T>(instance, request, out,
                 [](T& t, const boost::json::object& r) { return (t.*Method)(r); });
}

template <class T>
tessera_status create(void* plugin_state, tessera_str name, tessera_str config, void** instance_out,
                      const tessera_sink* error_out) {
  auto* state = static_cast<PluginState*>(plugin_state);
  return fail_closed(&state->host, error_out, [&] {
    ComponentContext context{state->host, std::string(name.data ? name.data : "", name.size),
                             parse_object(config, "the configuration")};
    auto instance =
        std::make_unique<Instance<T>>(Instance<T>{state->host, std::make_unique<T>(context)});
    *instance_out = instance.release();
    return TESSERA_OK;
  });
}

template <class T>
void destroy(void* instance) {
  std::unique_ptr<Instance<T>> owned(static_cast<Instance<T>*>(instance));
  try {
    owned.reset();
  } catch (...) {  // a destructor that throws must not take the server down
  }
}

// Whether T (or a base between it and the SDK's class) declares the member itself: only then
// is an optional operation offered to the host, which does without it otherwise.
#define TESSERA_SDK_OVERRIDES(T, Base, member) \
  (!std::is_same_v<decltype(&T::member), decltype(&Base::member)>)

template <class T>
tessera_component_vtable_v1 vtable_of() {
  tessera_component_vtable_v1 v{};
  v.struct_size = sizeof(v);
  v.create = &create<T>;
  v.destroy = &destroy<T>;
  if constexpr (std::is_base_of_v<TokenType, T>) {
    v.operation_1 = &operation<T, &TokenType::enroll>;
    v.operation_2 = &operation<T, &TokenType::verify>;
    if constexpr (TESSERA_SDK_OVERRIDES(T, TokenType, resync))
      v.operation_3 = &operation<T, &TokenType::resync>;
    if constexpr (TESSERA_SDK_OVERRIDES(T, TokenType, challenge))
      v.operation_4 = &operation<T, &TokenType::challenge>;
    if constexpr (TESSERA_SDK_OVERRIDES(T, TokenType, deleted))
      v.operation_5 = &operation<T, &TokenType::deleted>;
  } else if constexpr (std::is_base_of_v<CaConnector, T>) {
    v.operation_1 = &operation<T, &CaConnector::sign_request>;
    v.operation_2 = &operation<T, &CaConnector::request_status>;
    v.operation_3 = &operation<T, &CaConnector::revoke>;
    if constexpr (TESSERA_SDK_OVERRIDES(T, CaConnector, ca_certificate))
      v.operation_4 = &operation<T, &CaConnector::ca_certificate>;
    if constexpr (TESSERA_SDK_OVERRIDES(T, CaConnector, crl))
      v.operation_5 = &operation<T, &CaConnector::crl>;
    if constexpr (TESSERA_SDK_OVERRIDES(T, CaConnector, cancel_request))
      v.operation_6 = &operation<T, &CaConnector::cancel_request>;
    if constexpr (TESSERA_SDK_OVERRIDES(T, CaConnector, actions))
      v.operation_7 = &operation<T, &CaConnector::actions>;
    if constexpr (TESSERA_SDK_OVERRIDES(T, CaConnector, run_action))
      v.operation_8 = &operation<T, &CaConnector::run_action>;
  } else {
    v.operation_1 = &operation<T, &NotificationAction::execute>;
    v.operation_2 = &operation<T, &NotificationAction::actions>;
    v.operation_3 = &operation<T, &NotificationAction::check>;
  }
  return v;
}

#undef TESSERA_SDK_OVERRIDES

// Static storage for one component's descriptor; built once, never changed afterwards.
struct ComponentStorage {
  ComponentInfo info;
  std::vector<tessera_param_v1> params;
  tessera_component_vtable_v1 vtable{};
  tessera_component_v1 component{};
};

inline InitFunction& init_hook() {
  static InitFunction hook = nullptr;
  return hook;
}

inline ShutdownFunction& shutdown_hook() {
  static ShutdownFunction hook = nullptr;
  return hook;
}

inline tessera_status init(const tessera_host_api_v1* api, void* host_context, void** state_out,
                           const tessera_sink* error_out) {
  return fail_closed(nullptr, error_out, [&] {
    auto state = std::make_unique<PluginState>(PluginState{Host(api, host_context)});
    if (init_hook()) init_hook()(state->host);
    *state_out = state.release();
    return TESSERA_OK;
  });
}

inline void shutdown(void* plugin_state) {
  std::unique_ptr<PluginState> owned(static_cast<PluginState*>(plugin_state));
  try {
    if (shutdown_hook()) shutdown_hook()();
  } catch (...) {  // nothing may cross the boundary, and the host is exiting
  }
}

struct PluginDescriptor {
  std::vector<tessera_component_v1> components;
  tessera_plugin_v1 plugin{};

  PluginDescriptor(const char* id, const char* version, InitFunction init_function,
                   ShutdownFunction shutdown_function,
                   std::initializer_list<const tessera_component_v1*> list) {
    init_hook() = init_function;
    shutdown_hook() = shutdown_function;
    for (const auto* c : list) components.push_back(*c);
    plugin = {sizeof(tessera_plugin_v1),
              TESSERA_ABI_VERSION_MAJOR,
              TESSERA_ABI_VERSION_MINOR,
              id,
              version,
              "Tessera SDK " TESSERA_SDK_VERSION ", " __VERSION__,
              components.data(),
              components.size(),
              &detail::init,
              &detail::shutdown};
  }
};

}  // namespace detail

// The descriptor of component class T (a TokenType, CaConnector or NotificationAction).
template <class T>
const tessera_component_v1* component() {
  static_assert(std::is_base_of_v<TokenType, T> || std::is_base_of_v<CaConnector, T> ||
                    std::is_base_of_v<NotificationAction, T>,
                "a component derives from TokenType, CaConnector or NotificationAction");
  static const detail::ComponentStorage storage = [] {
    detail::ComponentStorage s;
    s.info = T::describe();
    for (const auto& p : s.info.params)
      s.params.push_back({sizeof(tessera_param_v1), p.key.c_str(), static_cast<uint32_t>(p.type),
                          p.flags, p.default_json.empty() ? nullptr : p.default_json.c_str(),
                          p.description.c_str()});
    s.vtable = detail::vtable_of<T>();
    return s;
  }();
  static const tessera_component_v1 descriptor{sizeof(tessera_component_v1),
                                               static_cast<uint32_t>(T::kind),
                                               storage.info.type_id.c_str(),
                                               storage.info.display_name.c_str(),
                                               storage.params.data(),
                                               storage.params.size(),
                                               &storage.vtable};
  return &descriptor;
}

}  // namespace tessera::sdk

// The entry function never throws: building the descriptor can fail (describe() throwing,
// no memory), which the host sees as "no descriptor" and refuses the plugin.
// INIT and SHUTDOWN may be nullptr.
#define TESSERA_PLUGIN_WITH_HOOKS(ID, VERSION, INIT, SHUTDOWN, ...)                              \
  extern "C" __attribute__((visibility("default"))) const tessera_plugin_v1*                     \
  tessera_plugin_entry_v1(void) noexcept {                                                       \
    try {                                                                                        \
      static const ::tessera::sdk::detail::PluginDescriptor descriptor(ID, VERSION, INIT,        \
                                                                       SHUTDOWN, {__VA_ARGS__}); \
      return &descriptor.plugin;                                                                 \
    } catch (...) {                                                                              \
      return nullptr;                                                                            \
    }                                                                                            \
  }

#define TESSERA_PLUGIN_WITH_INIT(ID, VERSION, INIT, ...) \
  TESSERA_PLUGIN_WITH_HOOKS(ID, VERSION, INIT, nullptr, __VA_ARGS__)

#define TESSERA_PLUGIN(ID, VERSION, ...) \
  TESSERA_PLUGIN_WITH_HOOKS(ID, VERSION, nullptr, nullptr, __VA_ARGS__)
