-- The first schema: accounts of administrators, configured component instances (CA connectors,
-- notification actions, token type settings) and the per-object store that plugins use.
-- Statements end with ';' at the end of a line; the migrator splits on that.
CREATE TABLE admin (
  username VARCHAR(64) PRIMARY KEY,
  password_hash VARCHAR(255) NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE component_config (
  kind VARCHAR(32) NOT NULL,
  name VARCHAR(128) NOT NULL,
  type_id VARCHAR(128) NOT NULL,
  config TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (kind, name)
);

CREATE TABLE plugin_store (
  plugin_id VARCHAR(128) NOT NULL,
  object_id VARCHAR(255) NOT NULL,
  item_key VARCHAR(255) NOT NULL,
  item_value TEXT NOT NULL,
  encrypted INTEGER NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (plugin_id, object_id, item_key)
);
