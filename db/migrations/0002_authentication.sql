-- Authentication: server-wide secrets (sealed with the encryption key, shared by every node)
-- and failed logins per account and client, for lockout.
CREATE TABLE server_secret (
  name VARCHAR(64) PRIMARY KEY,
  sealed_value TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE auth_failure (
  account VARCHAR(255) NOT NULL,
  client VARCHAR(64) NOT NULL,
  failures INTEGER NOT NULL,
  window_start BIGINT NOT NULL,
  locked_until BIGINT NOT NULL,
  PRIMARY KEY (account, client)
);
