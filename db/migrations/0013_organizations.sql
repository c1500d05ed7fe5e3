-- Organizations and their persons, for enrollment forms (client-certificate self-enrollment).
-- An organization belongs to a realm: the persons who enroll become users of its built-in
-- resolver, so their certificates are tokens like any other. Departments and delegated e-mail
-- domains are JSON arrays of text.
CREATE TABLE organization (
  name VARCHAR(64) PRIMARY KEY,
  realm VARCHAR(64) NOT NULL,
  resolver VARCHAR(64) NOT NULL,
  departments TEXT NOT NULL,
  domains TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);

-- A person is known by organization and e-mail address. The secret ID is an HMAC under a
-- server key ("" when the person has none); it is shown once when generated.
CREATE TABLE person (
  organization VARCHAR(64) NOT NULL,
  email VARCHAR(255) NOT NULL,
  department VARCHAR(64) NOT NULL,
  first_name VARCHAR(64) NOT NULL,
  middle_name VARCHAR(64) NOT NULL,
  last_name VARCHAR(64) NOT NULL,
  common_name VARCHAR(255) NOT NULL,
  validation_type VARCHAR(16) NOT NULL,
  secret_id_hash VARCHAR(255) NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (organization, email)
);
