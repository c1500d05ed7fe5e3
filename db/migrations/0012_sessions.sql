-- Sessions that ended before their JWT expired: one that logged out (by the JWT's id, kept
-- until it would have expired anyway), and every session of an account issued before an
-- admin ended them all. Shared by every node on the database.
CREATE TABLE revoked_session (
  jti VARCHAR(64) PRIMARY KEY,
  expires_at BIGINT NOT NULL
);

CREATE TABLE session_cutoff (
  account VARCHAR(255) PRIMARY KEY,
  not_before BIGINT NOT NULL
);
