// Notification action "token": changes the token an event concerns (disable, enable, revoke,
// set a token info entry), e.g. disable a token after failed checks. The plugin decides what
// to change from the handler's options and the event; the host carries it out, since only the
// host holds tokens: the result is {"token_changes": [{"serial", "change", ...}]}.
#include <string>

#include <tessera/sdk/plugin.hpp>

namespace {

using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;

std::string text(const boost::json::object& object, const char* key) {
  const auto* value = object.if_contains(key);
  if (!value || value->is_null()) return {};
  if (value->is_string()) return std::string(value->get_string());
  return boost::json::serialize(*value);
}

std::string filled(std::string value, const boost::json::object& tags) {
  for (const auto& [tag, v] : tags) {
    const std::string key = "{" + std::string(tag) + "}";
    const std::string with =
        v.is_string() ? std::string(v.get_string()) : boost::json::serialize(v);
    for (auto at = value.find(key); at != std::string::npos; at = value.find(key, at + with.size()))
      value.replace(at, key.size(), with);
  }
  return value;
}

class TokenAction : public tessera::sdk::NotificationAction {
 public:
  using NotificationAction::NotificationAction;

  static ComponentInfo describe() { return {"token", "Change the token of the event", {}}; }

  boost::json::object actions(const boost::json::object&) override {
    const boost::json::object none;
    return {{"disable", {{"description", "disable the token"}, {"options", none}}},
            {"enable", {{"description", "enable the token"}, {"options", none}}},
            {"revoke",
             {{"description", "revoke the token (and its certificate at its CA)"},
              {"options",
               {{"reason",
                 {{"type", "text"}, {"description", "RFC 5280 reason (default unspecified)"}}}}}}},
            {"set_tokeninfo",
             {{"description", "set a token info entry"},
              {"options",
               {{"key", {{"type", "text"}, {"required", true}, {"description", "the entry"}}},
                {"value",
                 {{"type", "text"},
                  {"required", true},
                  {"description", "a template: {time}, {user}, ..."}}}}}}}};
  }

  boost::json::object check(const boost::json::object& request) override {
    const auto& options = request.at("options").as_object();
    const auto key = text(options, "key");
    if (text(request, "action") == "set_tokeninfo" &&
        (key.empty() || key.size() > 64 ||
         key.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
             std::string::npos))
      throw Error::invalid_argument("key has 1 to 64 letters, digits, '_', '-' or '.'");
    return {};
  }

  boost::json::object execute(const boost::json::object& request) override {
    const auto& event = request.at("event").as_object();
    const auto* token = event.if_contains("token");
    if (!token || !token->is_object()) throw Error::invalid_argument("the event concerns no token");
    const auto action = text(request, "action");
    const auto& options = request.at("options").as_object();
    boost::json::object change{{"serial", text(token->as_object(), "serial")}, {"change", action}};
    if (action == "revoke") change["reason"] = text(options, "reason");
    if (action == "set_tokeninfo") {
      change["key"] = text(options, "key");
      change["value"] = filled(text(options, "value"), request.at("tags").as_object());
    }
    return {{"token_changes", boost::json::array{change}}};
  }
};

}  // namespace

TESSERA_PLUGIN("org.tessera.token_action", "0.1.0", tessera::sdk::component<TokenAction>());
