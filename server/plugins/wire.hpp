// The messages between the server and a plugin's child process (tessera-plugin-host) on their
// Unix socket: each frame is a request or the reply to one, with an id and a list of byte
// strings. Both sides send requests (the server: init, create, call, destroy, shutdown; the
// child: the plugin's calls into the host API), so one reader per side hands each reply to the
// call that waits for it and each request to a thread of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tessera::plugins::wire {

enum class Kind : uint8_t { request = 1, reply = 2, notice = 3 /* a request without a reply */ };

struct Frame {
  Kind kind = Kind::request;
  uint64_t id = 0;
  std::vector<std::string> fields;
};

// A frame larger than this is refused by the reader (the peer is then treated as broken): the
// biggest answer a plugin may give is 16 MiB, plus room for the other fields.
constexpr size_t kMaxFrameBytes = 20 * 1024 * 1024;
constexpr size_t kMaxFields = 32;

// Writes the whole frame; false when the peer is gone. Not thread-safe: one writer at a time.
bool write_frame(int fd, const Frame& frame);
// Reads one frame; nullopt at the end of the stream or for a malformed or oversized frame.
std::optional<Frame> read_frame(int fd);

}  // namespace tessera::plugins::wire
