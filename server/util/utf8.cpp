#include "server/util/utf8.hpp"

namespace tessera::util {

size_t utf8_char_length(std::string_view text) {
  if (text.empty()) return 0;
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char c = byte(0);
  if (c < 0x80) return 1;
  // Table 3-7 of the Unicode standard: the second byte's range depends on the first, which
  // rules out overlong forms (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code
  // points above U+10FFFF (F4 90.., F5..FF).
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
    if (c == 0xE0) low = 0xA0;
    if (c == 0xED) high = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
    if (c == 0xF0) low = 0x90;
    if (c == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (text.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i)
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  return length;
}

bool is_valid_utf8(std::string_view text) {
  while (!text.empty()) {
    const auto length = utf8_char_length(text);
    if (length == 0) return false;
    text.remove_prefix(length);
  }
  return true;
}

std::string printable_utf8(std::string_view text, size_t max_bytes) {
  std::string out;
  while (!text.empty()) {
    const auto length = utf8_char_length(text);
    const auto c = static_cast<unsigned char>(text[0]);
    const bool valid = length > 0 && !(length == 1 && (c < 0x20 || c == 0x7f));
    const size_t take = valid ? length : 1;
    if (out.size() + (valid ? length : 1) > max_bytes) break;
    if (valid)
      out.append(text.substr(0, length));
    else
      out += '?';
    text.remove_prefix(take);
  }
  return out;
}

}  // namespace tessera::util
