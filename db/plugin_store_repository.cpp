// SQL for the plugin store; upserts keep a write to one key a single statement.
#include "db/plugin_store_repository.hpp"

#include <chrono>

#include <soci/soci.h>

namespace tessera::db {

std::optional<StoredValue> PluginStoreRepository::get(const StoreKey& key) {
  return database_.with_session([&](soci::session& sql) -> std::optional<StoredValue> {
    StoredValue result;
    int encrypted = 0;
    sql << "SELECT item_value, encrypted FROM plugin_store WHERE plugin_id = :p AND "
           "object_id = :o AND item_key = :k",
        soci::use(key.plugin_id), soci::use(key.object_id), soci::use(key.key),
        soci::into(result.value), soci::into(encrypted);
    if (!sql.got_data()) return std::nullopt;
    result.encrypted = encrypted != 0;
    return result;
  });
}

void PluginStoreRepository::put(const StoreKey& key, const StoredValue& value) {
  long long now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  int encrypted = value.encrypted ? 1 : 0;
  database_.with_session([&](soci::session& sql) {
    sql << "INSERT INTO plugin_store (plugin_id, object_id, item_key, item_value, encrypted, "
           "updated_at) VALUES (:p, :o, :k, :v, :e, :t) ON CONFLICT (plugin_id, object_id, "
           "item_key) DO UPDATE SET item_value = excluded.item_value, encrypted = "
           "excluded.encrypted, updated_at = excluded.updated_at",
        soci::use(key.plugin_id), soci::use(key.object_id), soci::use(key.key),
        soci::use(value.value), soci::use(encrypted), soci::use(now);
  });
}

bool PluginStoreRepository::add(const StoreKey& key, const StoredValue& value) {
  long long now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  int encrypted = value.encrypted ? 1 : 0;
  return database_.with_session([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "INSERT INTO plugin_store (plugin_id, object_id, item_key, item_value, "
                        "encrypted, updated_at) VALUES (:p, :o, :k, :v, :e, :t) ON CONFLICT "
                        "(plugin_id, object_id, item_key) DO NOTHING",
         soci::use(key.plugin_id), soci::use(key.object_id), soci::use(key.key),
         soci::use(value.value), soci::use(encrypted), soci::use(now));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

long long PluginStoreRepository::count(const std::string& plugin_id) {
  return database_.with_session([&](soci::session& sql) {
    long long keys = 0;
    sql << "SELECT COUNT(*) FROM plugin_store WHERE plugin_id = :p", soci::use(plugin_id),
        soci::into(keys);
    return keys;
  });
}

bool PluginStoreRepository::remove(const StoreKey& key) {
  return database_.with_session([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "DELETE FROM plugin_store WHERE plugin_id = :p AND "
                                         "object_id = :o AND item_key = :k",
                          soci::use(key.plugin_id), soci::use(key.object_id), soci::use(key.key));
    st.execute(true);
    return st.get_affected_rows() > 0;
  });
}

}  // namespace tessera::db
