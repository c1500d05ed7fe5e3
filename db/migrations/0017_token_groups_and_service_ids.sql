-- eduMFA's token groups (named groups a token can be in, for policies and listing) and service
-- IDs (named services that SSH keys and applications refer to): a name and a description each.
CREATE TABLE tokengroup (
  name VARCHAR(64) PRIMARY KEY,
  description VARCHAR(255) NOT NULL
);

CREATE TABLE token_tokengroup (
  serial VARCHAR(64) NOT NULL,
  tokengroup VARCHAR(64) NOT NULL,
  PRIMARY KEY (serial, tokengroup)
);

CREATE INDEX token_tokengroup_group ON token_tokengroup (tokengroup);

CREATE TABLE serviceid (
  name VARCHAR(64) PRIMARY KEY,
  description VARCHAR(255) NOT NULL
);
