// The wall clock as the database stores it: Unix time in seconds, milliseconds or
// microseconds.
#pragma once

#include <chrono>
#include <ctime>

namespace tessera::util {

template <typename Unit>
long long unix_time() {
  return std::chrono::duration_cast<Unit>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// time() rather than std::chrono::system_clock, whose nanoseconds end in 2262: RFC 6238's last
// test vector (checked under libfaketime) is in 2603.
inline long long unix_seconds() {
  return static_cast<long long>(std::time(nullptr));
}
inline long long unix_milliseconds() {
  return unix_time<std::chrono::milliseconds>();
}
inline long long unix_microseconds() {
  return unix_time<std::chrono::microseconds>();
}

}  // namespace tessera::util
