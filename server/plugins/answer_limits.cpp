#include "server/plugins/answer_limits.hpp"

#include <boost/json/serialize.hpp>

namespace tessera::plugins::limits {

std::string cut(std::string_view text, size_t limit) {
  if (text.size() <= limit) return std::string(text);
  size_t end = limit;
  // Not inside a UTF-8 sequence: back up over continuation bytes.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "... [" + std::to_string(text.size() - end) +
         " more bytes cut]";
}

std::optional<std::string> info_problem(const boost::json::object& info) {
  if (info.size() > kInfoKeys)
    return "'info' has " + std::to_string(info.size()) + " entries, more than the " +
           std::to_string(kInfoKeys) + " a token may have";
  const auto size = boost::json::serialize(info).size();
  if (size > kInfoBytes)
    return "'info' is " + std::to_string(size) + " bytes, more than the " +
           std::to_string(kInfoBytes) + " a token may have";
  return std::nullopt;
}

}  // namespace tessera::plugins::limits
