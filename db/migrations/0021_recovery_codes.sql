-- Password recovery (eduMFA's /recover): one code per user of the built-in store, kept as an
-- HMAC, valid for an hour, used once; wrong tries are counted and end it.
CREATE TABLE recovery_code (
  resolver VARCHAR(64) NOT NULL,
  username VARCHAR(255) NOT NULL,
  code_hash VARCHAR(128) NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  failures INTEGER NOT NULL,
  PRIMARY KEY (resolver, username)
);
