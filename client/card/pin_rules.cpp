#include "client/card/pin_rules.hpp"

#include <cctype>

namespace tessera::card {

std::optional<std::string> pin_breaks(const std::string& pin, const boost::json::object& rules) {
  const auto number = [&](const char* key, long long fallback) {
    const auto* value = rules.if_contains(key);
    return value && value->is_int64() ? value->as_int64() : fallback;
  };
  const auto min = number("min_length", 6), max = number("max_length", 8);
  if (static_cast<long long>(pin.size()) < min || static_cast<long long>(pin.size()) > max)
    return "the PIN must have " + std::to_string(min) + " to " + std::to_string(max) +
           " characters (it has " + std::to_string(pin.size()) + ")";
  const auto* contents = rules.if_contains("contents");
  const std::string wanted =
      contents && contents->is_string() ? std::string(contents->as_string()) : "";
  bool letter = false, digit = false, other = false;
  for (const unsigned char c : pin) {
    letter |= std::isalpha(c) != 0;
    digit |= std::isdigit(c) != 0;
    other |= std::isalnum(c) == 0;
  }
  if (wanted.find('c') != std::string::npos && !letter) return "the PIN needs a letter";
  if (wanted.find('n') != std::string::npos && !digit) return "the PIN needs a digit";
  if (wanted.find('s') != std::string::npos && !other)
    return "the PIN needs a character that is neither a letter nor a digit";
  return std::nullopt;
}

}  // namespace tessera::card
