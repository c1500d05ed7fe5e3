#include "server/events/event_conditions.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

#include <boost/json.hpp>

#include "server/policy/policy_engine.hpp"
#include "server/util/comma_list.hpp"

namespace tessera::events {
namespace {

std::string text_of(const boost::json::value* value) {
  if (!value || value->is_null()) return {};
  if (value->is_string()) return std::string(value->get_string());
  if (value->is_bool()) return value->get_bool() ? "true" : "false";
  return boost::json::serialize(*value);
}

std::string field(const boost::json::object* object, const char* key) {
  return object ? text_of(object->if_contains(key)) : std::string();
}

const boost::json::object* object_at(const boost::json::object& parent, const char* key) {
  const auto* value = parent.if_contains(key);
  return value && value->is_object() ? &value->get_object() : nullptr;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool one_of(const std::string& list, const std::string& value) {
  const auto items = util::split_comma_list(list);
  return std::any_of(items.begin(), items.end(),
                     [&](const std::string& item) { return lower(item) == lower(value); });
}

bool boolean(const std::string& name, const std::string& value) {
  const auto v = lower(value);
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  throw ConditionError("condition " + name + " takes true or false, not '" + value + "'");
}

// ">=3", "<3", "==3", "3" ...: the operator and the number.
std::pair<std::string, long long> comparison(const std::string& name, const std::string& value) {
  static const std::regex form(R"(^\s*(>=|<=|==|!=|>|<)?\s*(\d{1,9})\s*$)");
  std::smatch m;
  if (!std::regex_match(value, m, form))
    throw ConditionError("condition " + name + " takes a comparison such as '>=3', not '" + value +
                         "'");
  return {m[1].matched ? m[1].str() : "==", std::stoll(m[2].str())};
}

bool compare(const std::pair<std::string, long long>& c, long long actual) {
  const auto& [op, n] = c;
  if (op == ">=") return actual >= n;
  if (op == "<=") return actual <= n;
  if (op == ">") return actual > n;
  if (op == "<") return actual < n;
  if (op == "!=") return actual != n;
  return actual == n;
}

// "key==value" or "key!=value".
std::tuple<std::string, bool, std::string> tokeninfo_test(const std::string& value) {
  for (const char* op : {"==", "!="}) {
    const auto at = value.find(op);
    if (at != std::string::npos && at > 0)
      return {value.substr(0, at), std::string(op) == "==", value.substr(at + 2)};
  }
  throw ConditionError("condition tokeninfo takes 'key==value' or 'key!=value', not '" + value +
                       "'");
}

std::regex serial_regex(const std::string& value) {
  try {
    return std::regex(value, std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    throw ConditionError("condition serial: '" + value + "' is not a regular expression");
  }
}

}  // namespace

const std::vector<ConditionDescription>& all_conditions() {
  static const std::vector<ConditionDescription> all{
      {"realm", "the user's realm (or the token owner's) is one of these (comma-separated)"},
      {"resolver", "the user's resolver (or the token owner's) is one of these"},
      {"user", "the user (or the token owner) is one of these"},
      {"logged_in_user", "who made the request: admin or user"},
      {"result_value", "the request's result value: true, false, ..."},
      {"client_ip", "the client address is in one of these networks (10.0.0.0/8, ...)"},
      {"tokentype", "the token's type is one of these (hotp, totp, certificate, ...)", true},
      {"serial", "the token's serial matches this regular expression", true},
      {"rollout_state", "the token's rollout state is one of these", true},
      {"old_rollout_state", "the rollout state before the change is one of these", true},
      {"token_has_owner", "true or false", true},
      {"token_locked", "true or false: the fail counter is at its maximum", true},
      {"failcounter", "the fail counter compares: '>=3', '<5', '==0'", true},
      {"tokeninfo", "a token info entry: 'key==value' or 'key!=value'", true},
  };
  return all;
}

void check_conditions(const boost::json::object& conditions) {
  const auto& known = all_conditions();
  for (const auto& [key, value] : conditions) {
    const std::string name(key);
    if (std::none_of(known.begin(), known.end(), [&](const auto& c) { return c.name == name; })) {
      std::string list;
      for (const auto& c : known) list += (list.empty() ? "" : ", ") + c.name;
      throw ConditionError("unknown condition '" + name + "' (known: " + list + ")");
    }
    if (!value.is_string() && !value.is_bool() && !value.is_number())
      throw ConditionError("condition " + name + " needs a text value");
    const auto v = text_of(&value);
    if (name == "token_has_owner" || name == "token_locked") boolean(name, v);
    if (name == "failcounter") comparison(name, v);
    if (name == "tokeninfo") tokeninfo_test(v);
    if (name == "serial") serial_regex(v);
    if (name == "logged_in_user" && v != "admin" && v != "user")
      throw ConditionError("condition logged_in_user takes admin or user");
    if (name == "client_ip")
      for (const auto& network : util::split_comma_list(v))
        if (!policy::is_network(network))
          throw ConditionError("condition client_ip: '" + network +
                               "' is not an address or network");
  }
}

bool conditions_hold(const boost::json::object& conditions, const boost::json::object& event,
                     const boost::json::object* token) {
  const auto* user = object_at(event, "user");
  const auto* logged_in = object_at(event, "logged_in");
  const auto* result = object_at(event, "result");
  for (const auto& [key, value] : conditions) {
    const std::string name(key);
    const auto v = text_of(&value);
    const auto& known = all_conditions();
    const bool about_token = std::any_of(
        known.begin(), known.end(), [&](const auto& c) { return c.name == name && c.about_token; });
    if (about_token && !token) return false;
    bool holds = true;
    if (name == "realm")
      holds = one_of(v, token ? field(token, "realm") : field(user, "realm"));
    else if (name == "resolver")
      holds = one_of(v, token ? field(token, "resolver") : field(user, "resolver"));
    else if (name == "user")
      holds = one_of(v, token ? field(token, "user") : field(user, "username"));
    else if (name == "logged_in_user")
      holds = field(logged_in, "role") == v;
    else if (name == "result_value")
      holds = lower(field(result, "value")) == lower(v);
    else if (name == "client_ip") {
      const auto address = field(&event, "client_ip");
      const auto networks = util::split_comma_list(v);
      holds = std::any_of(networks.begin(), networks.end(), [&](const std::string& network) {
        return policy::in_network(address, network);
      });
    } else if (name == "tokentype")
      holds = one_of(v, field(token, "type"));
    else if (name == "serial")
      holds = std::regex_search(field(token, "serial"), serial_regex(v));
    else if (name == "rollout_state")
      holds = one_of(v, field(token, "rollout_state"));
    else if (name == "old_rollout_state")
      holds = token->contains("old_rollout_state") && one_of(v, field(token, "old_rollout_state"));
    else if (name == "token_has_owner")
      holds = !field(token, "user").empty() == boolean(name, v);
    else if (name == "token_locked") {
      const auto* fails = token->if_contains("failcount");
      const auto* max = token->if_contains("maxfail");
      const bool locked = fails && max && fails->is_int64() && max->is_int64() &&
                          fails->get_int64() >= max->get_int64();
      holds = locked == boolean(name, v);
    } else if (name == "failcounter") {
      const auto* fails = token->if_contains("failcount");
      holds = fails && fails->is_int64() && compare(comparison(name, v), fails->get_int64());
    } else if (name == "tokeninfo") {
      const auto [info_key, equal, expected] = tokeninfo_test(v);
      const auto* info = object_at(*token, "info");
      const auto actual = info ? text_of(info->if_contains(info_key)) : std::string();
      holds = (actual == expected) == equal;
    }
    if (!holds) return false;
  }
  return true;
}

}  // namespace tessera::events
