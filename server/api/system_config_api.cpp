// eduMFA's system configuration (/system/, /system/setConfig, /system/setDefault,
// /system/<key>) for the settings that have a Tessera equivalent. Tessera keeps such defaults
// in policies, so a setting here is an action of one policy, "system-defaults" (authentication
// scope, every realm, priority 1000: any other policy that sets the action wins). Settings
// whose behaviour Tessera fixes read as that behaviour and accept only it; others are refused
// with the list of those known.
#include "server/api/system_config_api.hpp"

#include <map>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/policy/policy.hpp"

namespace tessera::api {
namespace {

constexpr const char* kPolicy = "system-defaults";

enum class Kind { number, minutes, flag };

// A setting kept as an authentication action of the system-defaults policy.
struct PolicySetting {
  const char* action;
  Kind kind;
};

const std::map<std::string, PolicySetting>& policy_settings() {
  static const std::map<std::string, PolicySetting> settings{
      {"DefaultMaxFailCount", {"max_fail", Kind::number}},
      {"failcounter_clear_timeout", {"lockout_seconds", Kind::minutes}},
      {"ReturnSamlAttributesOnFail", {"return_saml_attributes_on_fail", Kind::flag}}};
  return settings;
}

// Behaviour Tessera does not make configurable, as eduMFA's settings name it.
const std::map<std::string, std::string>& fixed_settings() {
  static const std::map<std::string, std::string> settings{
      {"PrependPin", "True"},              // the PIN comes before the OTP value
      {"DefaultResetFailCount", "True"},   // a success clears the fail counter
      {"IncFailCountOnFalsePin", "True"},  // a wrong PIN counts as a failure
      {"splitAtSign", "False"},            // user@realm is not split: realm is a parameter
      {"ReturnSamlAttributes", "True"},    // samlcheck answers attributes on success
      {"AutoResync", "False"}};            // resync is POST /token/resync
  return settings;
}

std::string known_list() {
  std::string list;
  for (const auto& [key, unused] : policy_settings()) list += (list.empty() ? "" : ", ") + key;
  for (const auto& [key, unused] : fixed_settings()) list += ", " + key;
  return list;
}

bool truthy(const std::string& value) {
  return value == "True" || value == "true" || value == "1";
}

class SystemConfig {
 public:
  explicit SystemConfig(db::PolicyRepository& policies) : policies_(policies) {}

  // Every known setting: the policy's value (absent when unset) and the fixed ones.
  boost::json::object read() const {
    boost::json::object values;
    const auto actions = current_actions();
    for (const auto& [key, setting] : policy_settings()) {
      const auto it = actions.find(setting.action);
      if (it == actions.end()) continue;
      if (setting.kind == Kind::flag)
        values[key] = "True";
      else if (setting.kind == Kind::minutes)
        values[key] = std::to_string(std::atoll(it->second.c_str()) / 60);
      else
        values[key] = it->second;
    }
    for (const auto& [key, value] : fixed_settings()) values[key] = value;
    return values;
  }

  // Sets the given settings together, or none when one is refused.
  boost::json::object write(const std::vector<std::pair<std::string, std::string>>& given) {
    auto actions = current_actions();
    boost::json::object result;
    for (const auto& [key, value] : given) {
      if (auto fixed = fixed_settings().find(key); fixed != fixed_settings().end()) {
        if (truthy(value) != truthy(fixed->second))
          throw ApiError::bad_parameter(key + " is always " + fixed->second + " in Tessera");
        result[key] = "update";
        continue;
      }
      const auto it = policy_settings().find(key);
      if (it == policy_settings().end())
        throw ApiError::bad_parameter("'" + key + "' has no Tessera equivalent; known: " +
                                      known_list() + " (see docs/api/edumfa-parity.md)");
      const auto& setting = it->second;
      result[key] = actions.count(setting.action) ? "update" : "insert";
      if (setting.kind == Kind::flag) {
        if (truthy(value))
          actions[setting.action] = "";
        else
          actions.erase(setting.action);
        continue;
      }
      long long number = -1;
      try {
        size_t used = 0;
        number = std::stoll(value, &used);
        if (used != value.size()) number = -1;
      } catch (const std::exception&) {
      }
      if (number < 0 || number > 1000000)
        throw ApiError::bad_parameter(key + " is a whole number from 0 to 1000000");
      if (setting.kind == Kind::number && number == 0)
        throw ApiError::bad_parameter(key + " is at least 1");
      actions[setting.action] =
          std::to_string(setting.kind == Kind::minutes ? number * 60 : number);
    }
    store(actions);
    return result;
  }

  bool remove(const std::string& key) {
    const auto it = policy_settings().find(key);
    if (it == policy_settings().end()) {
      if (fixed_settings().count(key))
        throw ApiError::bad_parameter(key + " is fixed in Tessera; it cannot be removed");
      return false;
    }
    auto actions = current_actions();
    if (!actions.erase(it->second.action)) return false;
    store(actions);
    return true;
  }

 private:
  std::map<std::string, std::string> current_actions() const {
    for (const auto& row : policies_.all())
      if (row.name == kPolicy) return policy::parse_policy(row).actions;
    return {};
  }

  void store(const std::map<std::string, std::string>& actions) {
    if (actions.empty()) {
      policies_.remove(kPolicy);
      return;
    }
    std::string text;
    for (const auto& [action, value] : actions)
      text += (text.empty() ? "" : ", ") + action + (value.empty() ? "" : "=" + value);
    db::PolicyRow row{kPolicy, "authentication", text, "", "", "", "", "", true, 1000, 0};
    policy::parse_policy(row);
    policies_.save(row);
  }

  db::PolicyRepository& policies_;
};

// eduMFA's configuration document: realms, resolvers and policies as reStructuredText.
std::string documentation(db::IdentityRepository& identities, db::PolicyRepository& policies) {
  const auto heading = [](const std::string& title, char underline) {
    return title + "\n" + std::string(title.size(), underline) + "\n\n";
  };
  std::string text = heading("Tessera configuration", '=');
  text += heading("Realms", '-');
  for (const auto& realm : identities.realms()) {
    text += "* " + realm.name + (realm.is_default ? " (default)" : "") + ": ";
    for (size_t i = 0; i < realm.resolvers.size(); ++i)
      text += (i ? ", " : "") + realm.resolvers[i] + " (priority " +
              std::to_string(realm.priorities.at(i)) + ")";
    text += "\n";
  }
  text += "\n" + heading("Resolvers", '-');
  for (const auto& resolver : identities.resolvers())
    text += "* " + resolver.name + ": " + resolver.type + "\n";
  text += "\n" + heading("Policies", '-');
  for (const auto& p : policies.all()) {
    text += heading(p.name, '~');
    for (const auto& [key, value] : policy::policy_fields(p))
      if (!value.empty()) text += ":" + key + ": " + value + "\n";
    text += "\n";
  }
  return text;
}

}  // namespace

void add_system_config_routes(http::Router& router, db::PolicyRepository& policies,
                              db::IdentityRepository& identities, const AccessControl& access) {
  auto config = std::make_shared<SystemConfig>(policies);
  const auto authenticated = http::Access::authenticated;
  router.add(
      "GET", "/system/documentation",
      [&policies, &identities, &access](http::RequestContext& c) {
        access.require_admin(c, "system_documentation");
        http::HttpResponse response;
        response.content_type = "text/plain; charset=utf-8";
        response.body = documentation(identities, policies);
        response.headers.emplace_back("Content-Disposition",
                                      "attachment; filename=\"documentation.rst\"");
        return response;
      },
      authenticated);
  router.add(
      "GET", "/system/",
      [config, &access](http::RequestContext& c) {
        access.require_admin(c, "configread");
        return json_result(config->read());
      },
      authenticated);
  router.add(
      "GET", "/system/<key>",
      [config, &access](http::RequestContext& c) {
        access.require_admin(c, "configread");
        const auto values = config->read();
        const auto* value = values.if_contains(c.path_params.at("key"));
        return json_result(value ? *value : boost::json::value(nullptr));
      },
      authenticated);
  // key=value pairs, or eduMFA's key=<name>&value=<value>; ".type" and ".desc" are ignored.
  router.add(
      "POST", "/system/setConfig",
      [config, &access](http::RequestContext& c) {
        access.require_admin(c, "configwrite");
        std::vector<std::pair<std::string, std::string>> given;
        if (c.params.contains("key") && c.params.contains("value")) {
          given.emplace_back(required_param(c, "key", 64), string_param(c, "value", 64));
        } else {
          for (const auto& [key, unused] : c.params) {
            const std::string name(key);
            if (name.ends_with(".type") || name.ends_with(".desc")) continue;
            given.emplace_back(name, string_param(c, name.c_str(), 64));
          }
        }
        if (given.empty()) throw ApiError::bad_parameter("give settings as key=value");
        c.audit.info = "system settings: " + std::to_string(given.size());
        return json_result(config->write(given));
      },
      authenticated);
  // eduMFA's token defaults; those without a Tessera equivalent are refused.
  router.add(
      "POST", "/system/setDefault",
      [config, &access](http::RequestContext& c) {
        access.require_admin(c, "configwrite");
        std::vector<std::pair<std::string, std::string>> given;
        for (const char* key : {"DefaultMaxFailCount", "DefaultSyncWindow", "DefaultCountWindow",
                                "DefaultOtpLen", "DefaultResetFailCount"})
          if (c.params.contains(key)) given.emplace_back(key, string_param(c, key, 64));
        if (given.empty())
          throw ApiError::bad_parameter(
              "Usage: DefaultMaxFailCount, DefaultSyncWindow, DefaultCountWindow, DefaultOtpLen, "
              "DefaultResetFailCount");
        for (const auto& [key, unused] : given)
          if (key == "DefaultSyncWindow" || key == "DefaultCountWindow" || key == "DefaultOtpLen")
            throw ApiError::bad_parameter(
                key +
                " has no Tessera default: give otplen (and the windows) when enrolling, or "
                "change a token with POST /token/set");
        return json_result(config->write(given));
      },
      authenticated);
  router.add(
      "DELETE", "/system/<key>",
      [config, &access](http::RequestContext& c) {
        access.require_admin(c, "configdelete");
        return json_result(config->remove(c.path_params.at("key")));
      },
      authenticated);
}

}  // namespace tessera::api
