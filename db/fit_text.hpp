// Cuts text to a column's size without splitting a UTF-8 character: PostgreSQL refuses both
// over-long values and broken characters, where SQLite stores anything.
#pragma once

#include <string>

namespace tessera::db {

inline std::string fit_text(std::string text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the character that is cut.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text;
}

}  // namespace tessera::db
