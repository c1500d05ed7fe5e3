-- Enrollment forms: a public page at /enroll/<extension> (random; a new one ends the old), the
-- ways people authenticate on it (JSON array: "email", "secret_id"), the notification action
-- that mails one-time links, help, and the EULA people accept (its version goes with each
-- certificate). Accounts say what a form offers to whom.
CREATE TABLE enrollment_form (
  name VARCHAR(64) PRIMARY KEY,
  extension VARCHAR(64) NOT NULL UNIQUE,
  auth_types TEXT NOT NULL,
  notifier VARCHAR(64) NOT NULL,
  help_text TEXT NOT NULL,
  help_links TEXT NOT NULL,
  eula TEXT NOT NULL,
  eula_version INTEGER NOT NULL,
  enabled INTEGER NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);

-- profiles: JSON array of {"ca", "profile"}; csr_method "server" (a key made here, a PKCS#12)
-- or "client" (a CSR uploaded); authorization_method "access_code" (stored as an HMAC) or
-- "none" (for persons who authenticated with their secret ID).
CREATE TABLE enrollment_account (
  form VARCHAR(64) NOT NULL,
  name VARCHAR(64) NOT NULL,
  organization VARCHAR(64) NOT NULL,
  department VARCHAR(64) NOT NULL,
  profiles TEXT NOT NULL,
  csr_method VARCHAR(16) NOT NULL,
  allow_empty_password INTEGER NOT NULL,
  authorization_method VARCHAR(16) NOT NULL,
  access_code_hash VARCHAR(255) NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  PRIMARY KEY (form, name)
);
