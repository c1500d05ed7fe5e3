// How tessera-plugin-host tells the server why it ended, besides a signal.
#pragma once

namespace tessera::plugins {

// The plugin asked for memory past plugins.process_memory_mb.
constexpr int kExitOutOfMemory = 86;

}  // namespace tessera::plugins
