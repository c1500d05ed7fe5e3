-- As sqlite/0018_machines.sql, with a BIGSERIAL id.
CREATE TABLE machine_resolver (
  name VARCHAR(64) PRIMARY KEY,
  resolver_type VARCHAR(32) NOT NULL,
  config TEXT NOT NULL
);

CREATE TABLE machine_token (
  id BIGSERIAL PRIMARY KEY,
  serial VARCHAR(64) NOT NULL,
  resolver VARCHAR(64) NOT NULL,
  machine_id VARCHAR(255) NOT NULL,
  application VARCHAR(32) NOT NULL,
  options TEXT NOT NULL
);

CREATE INDEX machine_token_serial ON machine_token (serial);
