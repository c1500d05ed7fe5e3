#include "server/plugins/configured_components.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "db/sealed_bindings.hpp"
#include "server/plugins/abi_access.hpp"
#include "server/plugins/component_config.hpp"
#include "server/util/clock.hpp"

namespace tessera::plugins {
namespace {

// How listings show a secret (redact_component_config).
bool is_placeholder(const boost::json::value& value) {
  return value.is_string() && value.as_string() == "***";
}

}  // namespace
boost::json::object ConfiguredComponents::open_config(const db::ComponentConfigRow& row) const {
  auto text = secrets_.open(row.sealed_config, db::binding::component_config(kind_key_, row.name));
  return boost::json::parse(text).as_object();
}

void ConfiguredComponents::create(const std::string& name, const std::string& type,
                                  const boost::json::object& params) {
  auto ref = registry_.find(kind_, type);
  if (!ref) {
    std::string known;
    for (const auto& plugin : registry_.plugins())
      for (size_t i = 0; i < plugin->descriptor().component_count; ++i) {
        const auto& c = component_at(plugin->descriptor(), i);
        if (c.kind == kind_) known += (known.empty() ? "" : ", ") + std::string(c.type_id);
      }
    throw ConfiguredComponentError("no " + noun_ + " type '" + type +
                                   "' (loaded: " + (known.empty() ? "none" : known) + ")");
  }
  if (configs_.find(kind_key_, name))
    throw ConfiguredComponentError("a " + noun_ + " '" + name + "' exists");
  for (size_t i = 0; i < ref->component->param_count; ++i) {
    const auto& param = param_at(*ref->component, i);
    const auto* given = params.if_contains(param.key);
    if ((param.flags & TESSERA_PARAM_SECRET) && given && is_placeholder(*given))
      throw ConfiguredComponentError(std::string("'***' stands for a stored secret; give ") +
                                     param.key + " itself");
  }
  auto [config, made] = make(*ref, name, params);
  db::ComponentConfigRow row{kind_key_, name, type, sealed(name, config),
                             util::unix_microseconds()};
  if (!configs_.insert(row))
    throw ConfiguredComponentError("a " + noun_ + " '" + name + "' exists");
  std::lock_guard lock(mutex_);
  instances_[name] = {row.created_at, std::move(made)};
}

bool ConfiguredComponents::save(const std::string& name, const std::string& type,
                                const boost::json::object& params,
                                std::optional<long long> expected_version) {
  const auto existing = configs_.find(kind_key_, name);
  const auto changed = [&] {
    return ConfiguredComponentConflict("the " + noun_ + " '" + name +
                                       "' was changed, made or deleted since it was read; load "
                                       "it and try again");
  };
  if (expected_version && *expected_version != (existing ? existing->created_at : 0))
    throw changed();
  if (!existing) {
    if (type.empty()) throw ConfiguredComponentError("missing parameter 'type'");
    create(name, type, params);
    return true;
  }
  if (!type.empty() && type != existing->type_id)
    throw ConfiguredComponentError("the " + noun_ + " '" + name + "' is of type '" +
                                   existing->type_id + "'; delete it to make another type");
  update(name, params, existing->created_at);
  return false;
}

void ConfiguredComponents::update(const std::string& name, const boost::json::object& params,
                                  std::optional<long long> expected_version) {
  auto row = configs_.find(kind_key_, name);
  if (!row) throw ConfiguredComponentError("no " + noun_ + " '" + name + "'");
  if (expected_version && *expected_version != row->created_at)
    throw ConfiguredComponentConflict("the " + noun_ + " '" + name +
                                      "' was changed since it was read; load it and try again");
  auto ref = registry_.find(kind_, row->type_id);
  if (!ref)
    throw ConfiguredComponentError("the " + noun_ + " '" + name + "' is of type '" + row->type_id +
                                   "', whose plugin is not loaded");
  auto merged = params;
  const auto stored = open_config(*row);
  const auto& component = *ref->component;
  for (size_t i = 0; i < component.param_count; ++i) {
    const auto& param = param_at(component, i);
    if (!(param.flags & TESSERA_PARAM_SECRET)) continue;
    const auto* given = merged.if_contains(param.key);
    if (given && !is_placeholder(*given)) continue;
    if (stored.contains(param.key))
      merged[param.key] = stored.at(param.key);
    else
      merged.erase(param.key);  // "***" for a secret never set: as if left out
  }
  auto [config, made] = make(*ref, name, merged);
  const long long expected = row->created_at;
  row->sealed_config = sealed(name, config);
  row->created_at = std::max(util::unix_microseconds(), expected + 1);
  if (!configs_.replace(*row, expected))
    throw ConfiguredComponentConflict("the " + noun_ + " '" + name +
                                      "' was changed or deleted meanwhile; load it and try again");
  std::lock_guard lock(mutex_);
  instances_[name] = {row->created_at, std::move(made)};
}

std::pair<boost::json::object, std::shared_ptr<ComponentInstance>> ConfiguredComponents::make(
    const ComponentRef& ref, const std::string& name, const boost::json::object& params) {
  boost::json::object config;
  try {
    config =
        validate_component_config(*ref.component, coerce_component_config(*ref.component, params));
  } catch (const ComponentConfigError& e) {
    throw ConfiguredComponentError(e.what());
  }
  auto made = registry_.create_instance(kind_, ref.component->type_id, name, config);
  return {std::move(config), std::move(made)};
}

std::string ConfiguredComponents::sealed(const std::string& name,
                                         const boost::json::object& config) const {
  return secrets_.seal(boost::json::serialize(config),
                       db::binding::component_config(kind_key_, name));
}

ConfiguredComponent ConfiguredComponents::info_of(const db::ComponentConfigRow& row) const {
  auto ref = registry_.find(kind_, row.type_id);
  return {row.name, row.type_id,
          ref ? redact_component_config(*ref->component, open_config(row))
              : boost::json::object{{"error", "its plugin is not loaded"}},
          row.created_at};
}

std::vector<ConfiguredComponent> ConfiguredComponents::list() {
  std::vector<ConfiguredComponent> result;
  for (const auto& row : configs_.list(kind_key_)) result.push_back(info_of(row));
  return result;
}

std::optional<ConfiguredComponent> ConfiguredComponents::find(const std::string& name) {
  auto row = configs_.find(kind_key_, name);
  if (!row) return std::nullopt;
  return info_of(*row);
}

std::string ConfiguredComponents::type_of(const std::string& name) {
  auto row = configs_.find(kind_key_, name);
  return row ? row->type_id : std::string();
}

bool ConfiguredComponents::remove(const std::string& name) {
  const bool removed = configs_.remove(kind_key_, name);
  std::lock_guard lock(mutex_);
  instances_.erase(name);
  return removed;
}

std::shared_ptr<ComponentInstance> ConfiguredComponents::instance(const std::string& name) {
  auto row = configs_.find(kind_key_, name);
  if (!row) return nullptr;
  {
    std::lock_guard lock(mutex_);
    auto it = instances_.find(row->name);
    if (it != instances_.end() && it->second.first == row->created_at) return it->second.second;
  }
  auto made = registry_.create_instance(kind_, row->type_id, row->name, open_config(*row));
  std::lock_guard lock(mutex_);
  instances_[row->name] = {row->created_at, made};
  return made;
}

}  // namespace tessera::plugins
