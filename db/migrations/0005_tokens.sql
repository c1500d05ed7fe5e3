-- Tokens and their open challenges. A token's secret is sealed (AES-256-GCM, bound to its
-- serial); its PIN is an HMAC under a server key. "counter" is the lowest value the next
-- check may accept: it only moves forward, by a conditional UPDATE, so no value is accepted
-- twice even when several server processes share the database.
CREATE TABLE token (
  serial VARCHAR(64) PRIMARY KEY,
  token_type VARCHAR(32) NOT NULL,
  description VARCHAR(255) NOT NULL,
  sealed_secret TEXT NOT NULL,
  pin_hash VARCHAR(128) NOT NULL,
  otplen INTEGER NOT NULL,
  counter BIGINT NOT NULL,
  count_window INTEGER NOT NULL,
  sync_window INTEGER NOT NULL,
  maxfail INTEGER NOT NULL,
  failcount INTEGER NOT NULL,
  last_fail_at BIGINT NOT NULL,
  active INTEGER NOT NULL,
  revoked INTEGER NOT NULL,
  locked INTEGER NOT NULL,
  rollout_state VARCHAR(16) NOT NULL,
  info TEXT NOT NULL,
  owner_user VARCHAR(255) NOT NULL,
  owner_resolver VARCHAR(64) NOT NULL,
  owner_realm VARCHAR(64) NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE INDEX token_owner ON token (owner_resolver, owner_user);

CREATE TABLE challenge (
  transaction_id VARCHAR(32) NOT NULL,
  serial VARCHAR(64) NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (transaction_id, serial)
);

-- Counts changes to realms, resolvers and policies, so that each node keeps them in memory
-- and reloads them when any node changed them (db/config_cache.hpp).
CREATE TABLE config_version (
  id INTEGER PRIMARY KEY,
  version BIGINT NOT NULL
);

INSERT INTO config_version (id, version) VALUES (1, 0);
