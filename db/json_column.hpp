// Lists of text kept in one TEXT column as a JSON array (departments, domains, help links).
#pragma once

#include <string>
#include <vector>

#include <boost/json.hpp>

namespace tessera::db {

inline std::string to_json_column(const std::vector<std::string>& items) {
  return boost::json::serialize(boost::json::array(items.begin(), items.end()));
}

// What the column holds; an empty list for anything but an array of text.
inline std::vector<std::string> from_json_column(const std::string& text) {
  std::vector<std::string> items;
  boost::system::error_code ec;
  const auto value = boost::json::parse(text, ec);
  if (ec || !value.is_array()) return items;
  for (const auto& item : value.get_array())
    if (item.is_string()) items.emplace_back(item.get_string());
  return items;
}

}  // namespace tessera::db
