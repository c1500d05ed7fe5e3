// Turns a plugin's failure into the HTTP answer: its message when it says what to fix (bad
// input: 400) or what is down (503); for anything else only that it failed, since an internal
// error's text (an exception's what(), a path, a peer's answer) is for the log, not the caller.
#pragma once

#include <string>

#include "server/api/api_error.hpp"
#include "server/plugins/component_instance.hpp"

namespace tessera::api {

// component: what failed, for the message ("the token type", "the CA connector").
[[noreturn]] void throw_plugin_failure(const plugins::PluginCallError& e,
                                       const std::string& component);

}  // namespace tessera::api
