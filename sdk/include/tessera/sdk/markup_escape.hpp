// Text put into HTML or XML: the five characters markup gives a meaning escaped (&#39; for the
// apostrophe, which HTML 4 and XML both read), for mail bodies and SOAP envelopes alike.
#pragma once

#include <string>
#include <string_view>

namespace tessera::sdk {

inline std::string html_escaped(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (const char c : in) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace tessera::sdk
