// Splits the comma-separated lists that eduMFA's API uses ("a, b,c"): items trimmed, empty
// items dropped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tessera::util {

inline std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

inline std::vector<std::string> split_comma_list(std::string_view text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    auto item = trim(text.substr(start, end - start));
    if (!item.empty()) items.push_back(std::move(item));
    start = end + 1;
  }
  return items;
}

// A policy value that lists words ("email phone", "hotp;totp"): split at spaces and ';'.
inline std::vector<std::string> split_word_list(std::string_view text) {
  std::vector<std::string> items;
  std::string item;
  for (char ch : text) {
    if (ch == ' ' || ch == ';') {
      if (!item.empty()) items.push_back(std::move(item));
      item.clear();
    } else {
      item += ch;
    }
  }
  if (!item.empty()) items.push_back(std::move(item));
  return items;
}

inline std::string join_comma_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

}  // namespace tessera::util
