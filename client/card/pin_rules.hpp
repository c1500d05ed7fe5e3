// The server's rules for a card's user PIN (enrollment policies smartcard_pin_min_length,
// _max_length, _contents), checked before the PIN goes to the card.
#pragma once

#include <optional>
#include <string>

#include <boost/json/object.hpp>

namespace tessera::card {

// What is wrong with pin under the rules ({"min_length", "max_length", "contents"}: c a letter,
// n a digit, s another character), or nullopt.
std::optional<std::string> pin_breaks(const std::string& pin, const boost::json::object& rules);

}  // namespace tessera::card
