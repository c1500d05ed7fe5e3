// The sealed values: server secrets, plugin values stored as secret, LDAP bind passwords,
// token secrets, component configurations.
#include "db/reseal.hpp"

#include <soci/soci.h>
#include <boost/json.hpp>

#include "db/sealed_bindings.hpp"

namespace tessera::db {

int reseal_all(Database& database,
               const std::function<std::string(const std::string&, const std::string&)>& reseal) {
  return database.in_transaction([&](soci::session& sql) {
    int count = 0;
    std::vector<std::pair<std::string, std::string>> secrets;
    soci::rowset<soci::row> secret_rows =
        (sql.prepare << "SELECT name, sealed_value FROM server_secret");
    for (const auto& r : secret_rows)
      secrets.emplace_back(r.get<std::string>(0), r.get<std::string>(1));
    for (const auto& [name, sealed] : secrets) {
      auto fresh = reseal(sealed, binding::server_secret(name));
      sql << "UPDATE server_secret SET sealed_value = :v WHERE name = :n", soci::use(fresh),
          soci::use(name);
      ++count;
    }

    struct PluginValue {
      std::string plugin, object, key, value;
    };
    std::vector<PluginValue> values;
    soci::rowset<soci::row> value_rows =
        (sql.prepare << "SELECT plugin_id, object_id, item_key, item_value FROM plugin_store WHERE "
                        "encrypted = 1");
    for (const auto& r : value_rows)
      values.push_back({r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2),
                        r.get<std::string>(3)});
    for (const auto& v : values) {
      auto fresh = reseal(v.value, binding::plugin_value(v.plugin, v.object, v.key));
      sql << "UPDATE plugin_store SET item_value = :v WHERE plugin_id = :p AND object_id = :o AND "
             "item_key = :k",
          soci::use(fresh), soci::use(v.plugin), soci::use(v.object), soci::use(v.key);
      ++count;
    }

    std::vector<std::pair<std::string, std::string>> resolvers;
    soci::rowset<soci::row> resolver_rows = (sql.prepare << "SELECT name, config FROM resolver");
    for (const auto& r : resolver_rows)
      resolvers.emplace_back(r.get<std::string>(0), r.get<std::string>(1));
    for (const auto& [name, text] : resolvers) {
      auto config = boost::json::parse(text);
      auto* sealed = config.as_object().if_contains("bind_password_sealed");
      if (!sealed) continue;
      *sealed = reseal(std::string(sealed->as_string()), binding::resolver_bind_password(name));
      const auto updated = boost::json::serialize(config);
      sql << "UPDATE resolver SET config = :c WHERE name = :n", soci::use(updated), soci::use(name);
      ++count;
    }
    std::vector<std::pair<std::string, std::string>> tokens;
    soci::rowset<soci::row> token_rows =
        (sql.prepare << "SELECT serial, sealed_secret FROM token WHERE sealed_secret <> ''");
    for (const auto& r : token_rows)
      tokens.emplace_back(r.get<std::string>(0), r.get<std::string>(1));
    for (const auto& [serial, sealed] : tokens) {
      auto fresh = reseal(sealed, binding::token_secret(serial));
      sql << "UPDATE token SET sealed_secret = :v WHERE serial = :s", soci::use(fresh),
          soci::use(serial);
      ++count;
    }
    std::vector<std::pair<std::string, std::string>> radius_servers;
    soci::rowset<soci::row> radius_rows =
        (sql.prepare << "SELECT name, sealed_secret FROM radius_server");
    for (const auto& r : radius_rows)
      radius_servers.emplace_back(r.get<std::string>(0), r.get<std::string>(1));
    for (const auto& [name, sealed] : radius_servers) {
      auto fresh = reseal(sealed, binding::radius_secret(name));
      sql << "UPDATE radius_server SET sealed_secret = :v WHERE name = :n", soci::use(fresh),
          soci::use(name);
      ++count;
    }
    struct Component {
      std::string kind, name, config;
    };
    std::vector<Component> components;
    soci::rowset<soci::row> component_rows =
        (sql.prepare << "SELECT kind, name, config FROM component_config");
    for (const auto& r : component_rows)
      components.push_back({r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2)});
    for (const auto& c : components) {
      auto fresh = reseal(c.config, binding::component_config(c.kind, c.name));
      sql << "UPDATE component_config SET config = :v WHERE kind = :k AND name = :n",
          soci::use(fresh), soci::use(c.kind), soci::use(c.name);
      ++count;
    }
    return count;
  });
}

}  // namespace tessera::db
