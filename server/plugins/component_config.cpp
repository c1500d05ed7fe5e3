// Schema checks on the host side, so a component's constructor only ever sees valid input.
#include "server/plugins/component_config.hpp"

#include <string>

#include <boost/json/parse.hpp>

#include "server/plugins/abi_access.hpp"

namespace tessera::plugins {
namespace {}  // namespace

bool param_has_type(const boost::json::value& v, uint32_t type) {
  switch (type) {
    case TESSERA_PARAM_STRING:
      return v.is_string();
    case TESSERA_PARAM_INT:
      return v.is_int64() || v.is_uint64();
    case TESSERA_PARAM_BOOL:
      return v.is_bool();
    case TESSERA_PARAM_STRING_LIST:
      if (!v.is_array()) return false;
      for (const auto& item : v.as_array())
        if (!item.is_string()) return false;
      return true;
  }
  return false;
}

namespace {

const char* type_name(uint32_t type) {
  switch (type) {
    case TESSERA_PARAM_STRING:
      return "a string";
    case TESSERA_PARAM_INT:
      return "an integer";
    case TESSERA_PARAM_BOOL:
      return "true or false";
    case TESSERA_PARAM_STRING_LIST:
      return "a list of strings";
  }
  return "?";
}

const tessera_param_v1* find_param(const tessera_component_v1& c, std::string_view key) {
  for (size_t i = 0; i < c.param_count; ++i)
    if (key == param_at(c, i).key) return &param_at(c, i);
  return nullptr;
}

}  // namespace

const char* kind_name(uint32_t kind) {
  switch (kind) {
    case TESSERA_COMPONENT_TOKEN_TYPE:
      return "token_type";
    case TESSERA_COMPONENT_CA_CONNECTOR:
      return "ca_connector";
    case TESSERA_COMPONENT_NOTIFICATION_ACTION:
      return "notification_action";
  }
  return "unknown";
}

boost::json::object validate_component_config(const tessera_component_v1& component,
                                              const boost::json::object& config) {
  const std::string owner = std::string(component.type_id);
  for (const auto& [key, value] : config) {
    const auto* param = find_param(component, key);
    if (!param) {
      std::string known;
      for (size_t i = 0; i < component.param_count; ++i)
        known += (known.empty() ? "" : ", ") + std::string(param_at(component, i).key);
      throw ComponentConfigError(owner + ": unknown parameter '" + std::string(key) +
                                 "' (known: " + (known.empty() ? "none" : known) + ")");
    }
    if (!param_has_type(value, param->type))
      throw ComponentConfigError(owner + ": parameter '" + std::string(key) + "' must be " +
                                 type_name(param->type));
  }
  boost::json::object result = config;
  for (size_t i = 0; i < component.param_count; ++i) {
    const auto& param = param_at(component, i);
    if (result.contains(param.key)) continue;
    if (param.flags & TESSERA_PARAM_REQUIRED)
      throw ComponentConfigError(owner + ": parameter '" + std::string(param.key) +
                                 "' is required (" + (param.description ? param.description : "") +
                                 ")");
    if (param.default_value) result[param.key] = boost::json::parse(param.default_value);
  }
  return result;
}

boost::json::object coerce_component_config(const tessera_component_v1& component,
                                            const boost::json::object& config) {
  boost::json::object result = config;
  for (auto& [key, value] : result) {
    const auto* param = find_param(component, key);
    if (!param || !value.is_string()) continue;
    const std::string text(value.get_string());
    if (param->type == TESSERA_PARAM_INT) {
      try {
        size_t used = 0;
        const long long n = std::stoll(text, &used);
        if (used == text.size()) value = n;
      } catch (const std::exception&) {  // left as text: validation names the parameter
      }
    } else if (param->type == TESSERA_PARAM_BOOL) {
      if (text == "1" || text == "true") value = true;
      if (text == "0" || text == "false") value = false;
    } else if (param->type == TESSERA_PARAM_STRING_LIST) {
      boost::json::array items;
      for (size_t start = 0; start <= text.size();) {
        auto end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        if (end > start) items.emplace_back(text.substr(start, end - start));
        start = end + 1;
      }
      value = std::move(items);
    }
  }
  return result;
}

boost::json::object redact_component_config(const tessera_component_v1& component,
                                            const boost::json::object& config) {
  boost::json::object result = config;
  for (auto& [key, value] : result) {
    const auto* param = find_param(component, key);
    if (param && (param->flags & TESSERA_PARAM_SECRET)) value = "***";
  }
  return result;
}

}  // namespace tessera::plugins
