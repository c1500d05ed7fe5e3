// What a plugin hands the host, where the host must not trust it: a reply frame from a plugin's
// child process (read from a file descriptor, as from its socket), the answer text collected by a
// bounded sink in pieces, and that text read as one strict JSON object whose token info is then
// checked against the limits. The input's first byte picks the frame reader or the answer path.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "server/plugins/answer_limits.hpp"
#include "server/plugins/bounded_sink.hpp"
#include "server/plugins/strict_json.hpp"
#include "server/plugins/wire.hpp"

using namespace tessera::plugins;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const char* text = reinterpret_cast<const char*>(data) + 1;
  const size_t length = size - 1;
  if (data[0] % 2 == 0) {
    static const int fd = memfd_create("frames", 0);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, length, 0) != static_cast<ssize_t>(length))
      return 0;
    lseek(fd, 0, SEEK_SET);
    while (auto frame = wire::read_frame(fd))
      if (frame->fields.size() > wire::kMaxFields) __builtin_trap();
    return 0;
  }
  // The plugin writes in pieces of any size; a small limit so that overflow is reached too.
  BoundedSink sink(length / 2 + 16);
  const auto* s = sink.get();
  for (size_t at = 0; at < length;) {
    const size_t piece = std::min<size_t>(length - at, 1 + (text[at] & 0x3f));
    s->write(s->context, text + at, piece);
    at += piece;
  }
  if (sink.overflowed()) return 0;
  std::string error;
  if (auto answer = parse_strict_object(sink.text(), &error)) {
    if (const auto* info = answer->if_contains("info"); info && info->is_object())
      (void)limits::info_problem(info->as_object());
    if (const auto* message = answer->if_contains("message"); message && message->is_string())
      (void)limits::cut(message->as_string(), limits::kFailureText);
  } else if (error.empty()) {
    __builtin_trap();  // a refusal always says why
  }
  return 0;
}
