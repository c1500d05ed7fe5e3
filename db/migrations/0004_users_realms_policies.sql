-- Identity: resolvers (user sources), realms (groups of resolvers, one the default), the
-- built-in SQL user store, and policies.
CREATE TABLE resolver (
  name VARCHAR(64) PRIMARY KEY,
  type VARCHAR(32) NOT NULL,
  config TEXT NOT NULL
);

CREATE TABLE realm (
  name VARCHAR(64) PRIMARY KEY,
  is_default INTEGER NOT NULL
);

CREATE TABLE realm_resolver (
  realm VARCHAR(64) NOT NULL,
  resolver VARCHAR(64) NOT NULL,
  priority INTEGER NOT NULL,
  PRIMARY KEY (realm, resolver)
);

CREATE TABLE resolver_user (
  resolver VARCHAR(64) NOT NULL,
  username VARCHAR(255) NOT NULL,
  given_name VARCHAR(255) NOT NULL,
  surname VARCHAR(255) NOT NULL,
  email VARCHAR(255) NOT NULL,
  phone VARCHAR(64) NOT NULL,
  mobile VARCHAR(64) NOT NULL,
  organization VARCHAR(255) NOT NULL,
  department VARCHAR(255) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  PRIMARY KEY (resolver, username)
);

CREATE TABLE policy (
  name VARCHAR(64) PRIMARY KEY,
  scope VARCHAR(32) NOT NULL,
  actions TEXT NOT NULL,
  realms TEXT NOT NULL,
  resolvers TEXT NOT NULL,
  users TEXT NOT NULL,
  admins TEXT NOT NULL,
  clients TEXT NOT NULL,
  active INTEGER NOT NULL,
  priority INTEGER NOT NULL
);
