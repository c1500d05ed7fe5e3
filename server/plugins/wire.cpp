// Frame layout, all integers little-endian: u32 length of what follows, u8 kind, u64 id,
// u32 field count, then per field u32 length and its bytes.
#include "server/plugins/wire.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tessera::plugins::wire {
namespace {

void put(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t take(const std::string& in, size_t& at, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i)
    value |= static_cast<uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  at += bytes;
  return value;
}

bool read_exactly(int fd, char* data, size_t size) {
  while (size > 0) {
    const auto n = ::read(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

bool write_frame(int fd, const Frame& frame) {
  std::string body;
  put(body, static_cast<uint8_t>(frame.kind), 1);
  put(body, frame.id, 8);
  put(body, frame.fields.size(), 4);
  for (const auto& field : frame.fields) {
    put(body, field.size(), 4);
    body += field;
  }
  std::string out;
  out.reserve(body.size() + 4);
  put(out, body.size(), 4);
  out += body;
  const char* data = out.data();
  size_t left = out.size();
  while (left > 0) {
    // MSG_NOSIGNAL: a dead peer is an error here, not a SIGPIPE for the whole server.
    const auto n = ::send(fd, data, left, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

std::optional<Frame> read_frame(int fd) {
  char length_bytes[4];
  if (!read_exactly(fd, length_bytes, 4)) return std::nullopt;
  size_t at = 0;
  const auto length = take(std::string(length_bytes, 4), at, 4);
  if (length < 13 || length > kMaxFrameBytes) return std::nullopt;
  std::string body(length, '\0');
  if (!read_exactly(fd, body.data(), body.size())) return std::nullopt;
  at = 0;
  Frame frame;
  const auto kind = take(body, at, 1);
  if (kind < 1 || kind > 3) return std::nullopt;
  frame.kind = static_cast<Kind>(kind);
  frame.id = take(body, at, 8);
  const auto count = take(body, at, 4);
  if (count > kMaxFields) return std::nullopt;
  for (uint64_t i = 0; i < count; ++i) {
    if (body.size() - at < 4) return std::nullopt;
    const auto size = take(body, at, 4);
    if (body.size() - at < size) return std::nullopt;
    frame.fields.emplace_back(body, at, size);
    at += size;
  }
  if (at != body.size()) return std::nullopt;
  return frame;
}

}  // namespace tessera::plugins::wire
