// Base class of a notification action (e-mail, webhook...). Named instances are made from the
// admin's configuration; execute receives the event and the handler's options.
#pragma once

#include <boost/json.hpp>

#include "tessera/sdk/component.hpp"

namespace tessera::sdk {

class NotificationAction : public Component {
 public:
  static constexpr tessera_component_kind kind = TESSERA_COMPONENT_NOTIFICATION_ACTION;

  using Component::Component;

  // Delivers one notification: {"action", "options" (the handler's), "event" (what happened),
  // "tags" ({"user": ..., "serial": ...}, for templates), "recipients" (e-mail addresses the
  // host resolved from the options "to", "to_email", "to_realm"), "delivery" (an id that stays
  // the same when a delivery is repeated)}. Throw Error::unavailable for a failure worth
  // retrying, Error::invalid_argument for one that is not.
  virtual boost::json::object execute(const boost::json::object& request) = 0;

  // The actions this type offers and their options, for admins and the WebUI:
  // {"<action>": {"description": ..., "options": {"<key>": {"type": "text" | "number" | "bool"
  // | "choice", "required": bool, "description": ..., "values": [...] for a choice}}}}. The host
  // refuses a handler whose action or options do not fit. Since ABI 1.3.
  virtual boost::json::object actions(const boost::json::object& /*request*/) { return {}; }
  // Checks a handler's {"action", "options"} beyond their form (a template that does not parse,
  // say); throw Error::invalid_argument with what to fix. Since ABI 1.3.
  virtual boost::json::object check(const boost::json::object& /*request*/) { return {}; }
};

}  // namespace tessera::sdk
