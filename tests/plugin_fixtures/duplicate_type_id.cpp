// A plugin that declares the notification action "webhook", which the bundled webhook plugin
// already provides: the second one must be refused, naming the first one's file.
#include <tessera/sdk/plugin.hpp>

namespace {

class SecondWebhook : public tessera::sdk::NotificationAction {
 public:
  using NotificationAction::NotificationAction;
  static tessera::sdk::ComponentInfo describe() { return {"webhook", "another webhook", {}}; }
  boost::json::object execute(const boost::json::object&) override { return {}; }
};

}  // namespace

TESSERA_PLUGIN("org.tests.duplicate", "1.0.0", tessera::sdk::component<SecondWebhook>());
