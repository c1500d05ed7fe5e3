-- eduMFA's machines: machine resolvers (where machines are listed: a hosts file) and tokens
-- attached to a machine for an application (ssh: the sshkey token's key is served for a user
-- on that machine). machine_id '' attaches a token to every machine (eduMFA's service IDs).
-- PostgreSQL has its own file for the id column.
CREATE TABLE machine_resolver (
  name VARCHAR(64) PRIMARY KEY,
  resolver_type VARCHAR(32) NOT NULL,
  config TEXT NOT NULL
);

CREATE TABLE machine_token (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  serial VARCHAR(64) NOT NULL,
  resolver VARCHAR(64) NOT NULL,
  machine_id VARCHAR(255) NOT NULL,
  application VARCHAR(32) NOT NULL,
  options TEXT NOT NULL
);

CREATE INDEX machine_token_serial ON machine_token (serial);
