// A plugin whose init throws: the SDK's barrier must turn that into a refusal with the message.
#include <stdexcept>

#include <tessera/sdk/plugin.hpp>

namespace {

class Unused : public tessera::sdk::NotificationAction {
 public:
  using NotificationAction::NotificationAction;
  static tessera::sdk::ComponentInfo describe() { return {"throwing_init_action", "unused", {}}; }
  boost::json::object execute(const boost::json::object&) override { return {}; }
};

void init(const tessera::sdk::Host&) {
  throw std::runtime_error("cannot reach the license server");
}

}  // namespace

TESSERA_PLUGIN_WITH_INIT("org.tests.throwing_init", "1.0.0", &init,
                         tessera::sdk::component<Unused>());
