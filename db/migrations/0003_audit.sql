-- The audit log: one row per API request, each chained to the one before by a keyed hash
-- (HMAC-SHA256 over the row and the previous row's hash). audit_head holds the chain's end with
-- an HMAC of its own, so that removing the newest rows is noticed too. Ids are assigned by the writer while it holds
-- the head row's lock, so they have no gaps.
CREATE TABLE audit (
  id BIGINT PRIMARY KEY,
  time_us BIGINT NOT NULL,
  duration_us BIGINT NOT NULL,
  action VARCHAR(160) NOT NULL,
  success INTEGER NOT NULL,
  serial VARCHAR(64) NOT NULL,
  token_type VARCHAR(64) NOT NULL,
  username VARCHAR(255) NOT NULL,
  realm VARCHAR(255) NOT NULL,
  administrator VARCHAR(255) NOT NULL,
  client VARCHAR(64) NOT NULL,
  policies VARCHAR(512) NOT NULL,
  info VARCHAR(512) NOT NULL,
  prev_hash VARCHAR(64) NOT NULL,
  hash VARCHAR(64) NOT NULL
);

CREATE INDEX audit_username ON audit (username, realm);

CREATE INDEX audit_serial ON audit (serial);

CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY,
  last_id BIGINT NOT NULL,
  last_hash VARCHAR(64) NOT NULL,
  head_mac VARCHAR(64) NOT NULL
);

INSERT INTO audit_head (id, last_id, last_hash, head_mac) VALUES (1, 0, '', '');
