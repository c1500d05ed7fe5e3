-- The tables of an eduMFA 2.x database that the import reads, as SQLAlchemy creates them on
-- SQLite from eduMFA's edumfa/models.py (Token, TokenInfo, TokenOwner, Realm, Resolver,
-- ResolverConfig, ResolverRealm, Policy, PolicyCondition: privacyIDEA 3.x
-- has the same). Written for the tests: the import test fills them the way eduMFA does, seeds
-- encrypted with its key file.
CREATE TABLE realm (
  id INTEGER NOT NULL PRIMARY KEY,
  name VARCHAR(255) NOT NULL UNIQUE,
  "default" BOOLEAN,
  option VARCHAR(40)
);
CREATE TABLE token (
  id INTEGER NOT NULL PRIMARY KEY,
  description VARCHAR(80),
  serial VARCHAR(40) NOT NULL UNIQUE,
  tokentype VARCHAR(30),
  user_pin VARCHAR(512),
  user_pin_iv VARCHAR(32),
  so_pin VARCHAR(512),
  so_pin_iv VARCHAR(32),
  pin_seed VARCHAR(32),
  otplen INTEGER,
  pin_hash VARCHAR(512),
  key_enc VARCHAR(2800),
  key_iv VARCHAR(32),
  maxfail INTEGER,
  active BOOLEAN NOT NULL,
  revoked BOOLEAN,
  locked BOOLEAN,
  failcount INTEGER,
  count INTEGER,
  count_window INTEGER,
  sync_window INTEGER,
  rollout_state VARCHAR(10)
);
CREATE TABLE tokeninfo (
  id INTEGER NOT NULL PRIMARY KEY,
  "Key" VARCHAR(255) NOT NULL,
  "Value" TEXT,
  "Type" VARCHAR(100),
  "Description" VARCHAR(2000),
  token_id INTEGER REFERENCES token (id),
  CONSTRAINT tiix_2 UNIQUE (token_id, "Key")
);
CREATE TABLE tokenowner (
  id INTEGER NOT NULL PRIMARY KEY,
  token_id INTEGER REFERENCES token (id),
  resolver VARCHAR(120),
  user_id VARCHAR(320),
  realm_id INTEGER REFERENCES realm (id)
);
CREATE TABLE resolver (
  id INTEGER NOT NULL PRIMARY KEY,
  name VARCHAR(255) NOT NULL UNIQUE,
  rtype VARCHAR(255) NOT NULL
);
CREATE TABLE resolverconfig (
  id INTEGER NOT NULL PRIMARY KEY,
  resolver_id INTEGER REFERENCES resolver (id),
  "Key" VARCHAR(255) NOT NULL,
  "Value" VARCHAR(2000),
  "Type" VARCHAR(2000),
  "Description" VARCHAR(2000),
  CONSTRAINT rcix_2 UNIQUE (resolver_id, "Key")
);
CREATE TABLE resolverrealm (
  id INTEGER NOT NULL PRIMARY KEY,
  resolver_id INTEGER REFERENCES resolver (id),
  realm_id INTEGER REFERENCES realm (id),
  priority INTEGER,
  CONSTRAINT rrix_2 UNIQUE (resolver_id, realm_id)
);
CREATE TABLE policy (
  id INTEGER NOT NULL PRIMARY KEY,
  active BOOLEAN,
  check_all_resolvers BOOLEAN,
  name VARCHAR(64) NOT NULL UNIQUE,
  scope VARCHAR(32) NOT NULL,
  action VARCHAR(2000),
  realm VARCHAR(256),
  adminrealm VARCHAR(256),
  adminuser VARCHAR(256),
  resolver VARCHAR(256),
  edumfanode VARCHAR(256),
  "user" VARCHAR(256),
  client VARCHAR(256),
  time VARCHAR(64),
  priority INTEGER NOT NULL
);
CREATE TABLE policycondition (
  id INTEGER NOT NULL PRIMARY KEY,
  policy_id INTEGER NOT NULL REFERENCES policy (id),
  section VARCHAR(255) NOT NULL,
  "Key" VARCHAR(255) NOT NULL,
  comparator VARCHAR(255) NOT NULL,
  "Value" VARCHAR(2000) NOT NULL,
  active BOOLEAN NOT NULL,
  handle_missing_data VARCHAR(255)
);
