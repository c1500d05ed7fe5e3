// Named, configured instances of one kind of plugin component (CA connectors, notification
// actions): the configuration lives in the database, sealed (it may hold secrets), and each
// process makes an instance when it first needs one, so an instance created on one node works
// on every node.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "db/component_config_repository.hpp"
#include "server/crypto/secret_box.hpp"
#include "server/plugins/plugin_registry.hpp"

namespace tessera::plugins {

// Bad input: unknown type, taken name, invalid configuration.
class ConfiguredComponentError : public std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct ConfiguredComponent {
  std::string name;
  std::string type;
  boost::json::object config;  // secret parameters shown as "***"
  long long version = 0;       // changes with every save: a client sends it back to save
};

// A save that names a version other than the stored one: someone changed (or made, or
// deleted) the instance since the client read it.
class ConfiguredComponentConflict : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ConfiguredComponents {
 public:
  // kind_key names the kind in the database ("ca_connector"); noun in messages ("CA connector").
  ConfiguredComponents(tessera_component_kind kind, std::string kind_key, std::string noun,
                       const PluginRegistry& registry, db::ComponentConfigRepository& configs,
                       const crypto::SecretBox& secrets)
      : kind_(kind),
        kind_key_(std::move(kind_key)),
        noun_(std::move(noun)),
        registry_(registry),
        configs_(configs),
        secrets_(secrets) {}

  // Makes the instance first (the plugin checks its configuration), then stores it. A secret
  // given as "***" is refused. Throws ConfiguredComponentError, or PluginCallError when the
  // plugin refuses.
  void create(const std::string& name, const std::string& type, const boost::json::object& params);
  // Creates the instance, or updates it when the name exists (eduMFA's POST): type may be empty
  // for an update and must not differ. With expected_version, the save happens only if the
  // stored version is that one (0: only if there is none yet); else ConfiguredComponentConflict.
  // True when it created one.
  bool save(const std::string& name, const std::string& type, const boost::json::object& params,
            std::optional<long long> expected_version = std::nullopt);
  // Changes an existing instance's configuration (its type stays). A secret parameter left
  // out or sent as "***" (as list() shows it) keeps its stored value. The plugin checks the new
  // configuration before it is stored; every node then makes its instance anew.
  void update(const std::string& name, const boost::json::object& params,
              std::optional<long long> expected_version = std::nullopt);
  std::vector<ConfiguredComponent> list();
  std::optional<ConfiguredComponent> find(const std::string& name);
  bool remove(const std::string& name);
  // nullptr when there is no such instance. The row is read each time: one deleted or made
  // again on another node is noticed.
  std::shared_ptr<ComponentInstance> instance(const std::string& name);
  // The component's type id of a configured instance, or empty.
  std::string type_of(const std::string& name);

  const std::string& noun() const { return noun_; }

 private:
  boost::json::object open_config(const db::ComponentConfigRow& row) const;
  // Checks params against the component and has the plugin make an instance from them.
  std::pair<boost::json::object, std::shared_ptr<ComponentInstance>> make(
      const ComponentRef& ref, const std::string& name, const boost::json::object& params);
  std::string sealed(const std::string& name, const boost::json::object& config) const;
  ConfiguredComponent info_of(const db::ComponentConfigRow& row) const;

  tessera_component_kind kind_;
  std::string kind_key_;
  std::string noun_;
  const PluginRegistry& registry_;
  db::ComponentConfigRepository& configs_;
  const crypto::SecretBox& secrets_;
  std::mutex mutex_;
  // name -> (created_at of the configuration it was made from, instance)
  std::map<std::string, std::pair<long long, std::shared_ptr<ComponentInstance>>> instances_;
};

}  // namespace tessera::plugins
