// An event handler's conditions, as an admin enters them (checked when the handler is saved), and
// their evaluation against an event and its token. The input is a JSON array of three objects:
// the conditions, the event's payload and the token; conditions that pass the check must then
// evaluate without failing, whatever the event holds (a plugin's or a peer's text may be in it).
#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/json.hpp>

#include "server/events/event_conditions.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  boost::system::error_code ec;
  auto value = boost::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
  if (ec || !value.is_array() || value.as_array().empty()) return 0;
  const auto& parts = value.as_array();
  if (!parts[0].is_object()) return 0;
  const auto& conditions = parts[0].as_object();
  try {
    tessera::events::check_conditions(conditions);
  } catch (const tessera::events::ConditionError&) {
    return 0;  // refused when saved: never evaluated
  }
  static const boost::json::object empty;
  const auto& event = parts.size() > 1 && parts[1].is_object() ? parts[1].as_object() : empty;
  const auto* token = parts.size() > 2 && parts[2].is_object() ? &parts[2].as_object() : nullptr;
  (void)tessera::events::conditions_hold(conditions, event, token);
  return 0;
}
