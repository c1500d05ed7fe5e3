// Text in and out of the services' pages: percent-encoding for forms and name-value pairs,
// and what a page (HTML, plain text or XML) says, for messages. Plain scans, no std::regex:
// a page may be large and hostile.
#pragma once

#include <string>

namespace tessera::msca {

// Every byte but letters, digits and "-_.~" as %XX.
std::string percent_encoded(const std::string& text);

// A page's text without tags and entities, spaces folded, for messages and phrase search.
std::string plain(const std::string& page);

// The start of plain(page), at most 160 characters, for messages.
std::string excerpt(const std::string& page);

}  // namespace tessera::msca
