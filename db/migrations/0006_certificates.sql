-- Certificates that CA connectors issued, with their revocation, and each CA's current CRL.
-- component_config.config is stored sealed from now on (it may hold secret parameters).
CREATE TABLE certificate (
  ca VARCHAR(128) NOT NULL,
  serial VARCHAR(64) NOT NULL,
  token_serial VARCHAR(64) NOT NULL,
  subject VARCHAR(1024) NOT NULL,
  not_after BIGINT NOT NULL,
  pem TEXT NOT NULL,
  revoked INTEGER NOT NULL,
  revoked_at BIGINT NOT NULL,
  revocation_reason VARCHAR(32) NOT NULL,
  PRIMARY KEY (ca, serial)
);

CREATE TABLE ca_crl (
  ca VARCHAR(128) PRIMARY KEY,
  crl_number BIGINT NOT NULL,
  next_update BIGINT NOT NULL,
  der TEXT NOT NULL
);

-- Certificate profiles of a CA connector (eduMFA's "templates"): JSON, validated by the server.
CREATE TABLE certificate_profile (
  ca VARCHAR(128) NOT NULL,
  name VARCHAR(64) NOT NULL,
  config TEXT NOT NULL,
  PRIMARY KEY (ca, name)
);
