// Notification templates (the SDK's fill_template): a template, then after a NUL byte the
// event's tags as JSON. Without tags the template comes back unchanged; in HTML every '<' of the
// message is the template's own, none a value's.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/json.hpp>
#include <tessera/sdk/message_template.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool html = data[0] & 1;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto split = input.find('\0');
  const auto text = input.substr(0, split);
  if (tessera::sdk::fill_template(text, {}, html) != text) __builtin_trap();
  if (split == std::string_view::npos) return 0;
  boost::system::error_code ec;
  auto tags = boost::json::parse(input.substr(split + 1), ec);
  if (ec || !tags.is_object()) return 0;
  const auto filled = tessera::sdk::fill_template(text, tags.as_object(), html);
  if (html &&
      std::count(filled.begin(), filled.end(), '<') != std::count(text.begin(), text.end(), '<'))
    __builtin_trap();
  return 0;
}
