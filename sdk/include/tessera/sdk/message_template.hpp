// Message templates for notification plugins: "{tag}" replaced by the event's value of that tag,
// HTML-escaped where the message is HTML. One pass over the template, so its cost is linear in
// the template and the values, whatever an admin or a user attribute put into them.
#pragma once

#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "tessera/sdk/markup_escape.hpp"

namespace tessera::sdk {

// {tag} replaced by its value (text as it is, other JSON serialized); unknown tags and braces
// that close nothing stay as they are, so a typo shows in the message.
inline std::string fill_template(std::string_view text, const boost::json::object& tags,
                                 bool html) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto open = text.find('{', i);
    out.append(text.substr(i, open == std::string_view::npos ? open : open - i));
    if (open == std::string_view::npos) break;
    const auto close = text.find_first_of("{}", open + 1);
    // "{{x}": the first brace opens nothing; the scan goes on from the second.
    if (close == std::string_view::npos || text[close] == '{') {
      out += '{';
      i = open + 1;
      continue;
    }
    const auto name = text.substr(open + 1, close - open - 1);
    if (const auto* value = tags.if_contains(name)) {
      const auto v =
          value->is_string() ? std::string(value->get_string()) : boost::json::serialize(*value);
      out += html ? html_escaped(v) : v;
    } else {
      out.append(text.substr(open, close - open + 1));
    }
    i = close + 1;
  }
  return out;
}

}  // namespace tessera::sdk
