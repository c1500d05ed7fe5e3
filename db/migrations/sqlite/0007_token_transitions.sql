-- Every change of a token's rollout state (pending -> enrolled, review -> denied, ... -> revoked),
-- written in the same transaction as the change: who, when and why. Ids grow with time, so the
-- event engine reads them in order. PostgreSQL has its own file for the id column.
CREATE TABLE token_transition (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  serial VARCHAR(64) NOT NULL,
  from_state VARCHAR(16) NOT NULL,
  to_state VARCHAR(16) NOT NULL,
  time_us BIGINT NOT NULL,
  actor VARCHAR(255) NOT NULL,
  reason VARCHAR(512) NOT NULL
);

CREATE INDEX token_transition_serial ON token_transition (serial, id);
