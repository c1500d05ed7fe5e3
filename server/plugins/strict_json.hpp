// Reads what a plugin answers: one JSON object, with no key given twice at any level. A
// parser that kept the last of two "match" or "counter" keys would let a plugin (or whatever
// it copied from a peer) say two things at once; the host refuses instead.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace tessera::plugins {

// The object, or nullopt with why in *error.
std::optional<boost::json::object> parse_strict_object(std::string_view text, std::string* error);

}  // namespace tessera::plugins
