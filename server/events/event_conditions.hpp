// The conditions of an event handler, checked when it is created and evaluated for each event:
// for each token the event concerns (never skipped: a handler with a token condition does not
// fire for an event without tokens), or once for an event without tokens.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

namespace tessera::events {

class ConditionError : public std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct ConditionDescription {
  std::string name;
  std::string description;
  bool about_token = false;
};
const std::vector<ConditionDescription>& all_conditions();

// Throws ConditionError naming the condition: unknown, or a value that does not parse.
void check_conditions(const boost::json::object& conditions);

// The event's payload (see EventRecorder) and one of its tokens, or nullptr.
bool conditions_hold(const boost::json::object& conditions, const boost::json::object& event,
                     const boost::json::object* token);

}  // namespace tessera::events
