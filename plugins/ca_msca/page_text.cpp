#include "page_text.hpp"

#include <cctype>
#include <utility>

namespace tessera::msca {

std::string percent_encoded(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// A page's text without tags and entities, spaces folded, for messages and phrase search.
std::string plain(const std::string& page) {
  std::string out;
  bool in_tag = false;
  for (char c : page) {
    if (c == '<')
      in_tag = true;
    else if (c == '>') {
      in_tag = false;
      c = ' ';
    }
    if (in_tag) continue;
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  // Entities in one pass (the page may be large).
  std::string decoded;
  decoded.reserve(out.size());
  for (size_t i = 0; i < out.size(); ++i) {
    bool replaced = false;
    if (out[i] == '&')
      for (const auto& [entity, ch] : {std::pair{"&quot;", '"'},
                                       {"&amp;", '&'},
                                       {"&#39;", '\''},
                                       {"&lt;", '<'},
                                       {"&gt;", '>'},
                                       {"&nbsp;", ' '}})
        if (out.compare(i, std::char_traits<char>::length(entity), entity) == 0) {
          decoded += ch;
          i += std::char_traits<char>::length(entity) - 1;
          replaced = true;
          break;
        }
    if (!replaced) decoded += out[i];
  }
  return decoded;
}

std::string excerpt(const std::string& page) {
  auto text = plain(page);
  return text.size() > 160 ? text.substr(0, 160) + "..." : text;
}

}  // namespace tessera::msca
