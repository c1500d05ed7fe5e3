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

  // Delivers one notification; throw Error::unavailable for a failure worth retrying.
  virtual boost::json::object execute(const boost::json::object& event) = 0;
};

}  // namespace tessera::sdk
