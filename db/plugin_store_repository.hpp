// Rows of the per-plugin, per-object key/value store. Values arrive here already encrypted when
// secret; this layer never sees plaintext secrets.
#pragma once

#include <optional>
#include <string>

#include "db/database.hpp"

namespace tessera::db {

struct StoredValue {
  std::string value;
  bool encrypted = false;
};

struct StoreKey {
  std::string plugin_id;
  std::string object_id;
  std::string key;
};

class PluginStoreRepository {
 public:
  explicit PluginStoreRepository(Database& database) : database_(database) {}

  std::optional<StoredValue> get(const StoreKey& key);
  void put(const StoreKey& key, const StoredValue& value);
  // Stores the value only if the key has none (one statement: atomic on both dialects); true
  // when it did.
  bool add(const StoreKey& key, const StoredValue& value);
  // How many keys the plugin has stored (over all its objects).
  long long count(const std::string& plugin_id);
  // Returns false when there was nothing to remove.
  bool remove(const StoreKey& key);

 private:
  Database& database_;
};

}  // namespace tessera::db
