// The host's end of a tessera_sink: collects what a plugin writes, up to a limit, and never
// throws back into plugin code (the callback is called from C).
#pragma once

#include <string>

#include "tessera/abi/tessera_plugin_abi.h"

namespace tessera::plugins {

class BoundedSink {
 public:
  static constexpr size_t kDefaultLimit = 16 * 1024 * 1024;

  explicit BoundedSink(size_t limit = kDefaultLimit) : limit_(limit) {}
  BoundedSink(const BoundedSink&) = delete;
  BoundedSink& operator=(const BoundedSink&) = delete;

  const tessera_sink* get() const { return &sink_; }
  const std::string& text() const { return text_; }
  // True when the plugin wrote more than the limit (or memory ran out): treat as a failure.
  bool overflowed() const { return overflowed_; }

 private:
  static void write(void* context, const char* data, size_t size) noexcept {
    auto* self = static_cast<BoundedSink*>(context);
    if (self->overflowed_ || size > self->limit_ - self->text_.size()) {
      self->overflowed_ = true;
      return;
    }
    try {
      self->text_.append(data, size);
    } catch (...) {
      self->overflowed_ = true;
    }
  }

  size_t limit_;
  std::string text_;
  bool overflowed_ = false;
  tessera_sink sink_{this, &BoundedSink::write};
};

}  // namespace tessera::plugins
