// Strict UTF-8 (RFC 3629): the one check for text that came from outside before it reaches a
// JSON answer, a log line or the database. Overlong forms, surrogates and code points above
// U+10FFFF are invalid, as are bytes that start nothing.
#pragma once

#include <string>
#include <string_view>

namespace tessera::util {

// The length of the valid UTF-8 character at the start of text, or 0 if there is none.
size_t utf8_char_length(std::string_view text);

bool is_valid_utf8(std::string_view text);

// text with each byte that is not part of a valid character, and each control character
// (C0 and DEL), replaced by '?', cut at a character boundary to at most max_bytes.
std::string printable_utf8(std::string_view text, size_t max_bytes = std::string_view::npos);

}  // namespace tessera::util
