// The configuration file, read at start and by --check-config: any text is read as YAML and
// checked key by key, and is either a configuration or refused with the file, line and reason
// (ConfigError), never a crash or another exception.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "server/config/server_config.hpp"

namespace {

// A folder of this process's own for the file, removed when the fuzzer exits.
struct ScratchFolder {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tessera-config-fuzz-" + std::to_string(getpid()));
  ScratchFolder() { std::filesystem::create_directories(dir); }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ScratchFolder scratch;
  const auto file = scratch.dir / "tessera.yaml";
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    (void)tessera::load_config(file);
  } catch (const tessera::ConfigError&) {
  }
  return 0;
}
