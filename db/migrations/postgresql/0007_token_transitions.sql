-- As sqlite/0007_token_transitions.sql, with a BIGSERIAL id.
CREATE TABLE token_transition (
  id BIGSERIAL PRIMARY KEY,
  serial VARCHAR(64) NOT NULL,
  from_state VARCHAR(16) NOT NULL,
  to_state VARCHAR(16) NOT NULL,
  time_us BIGINT NOT NULL,
  actor VARCHAR(255) NOT NULL,
  reason VARCHAR(512) NOT NULL
);

CREATE INDEX token_transition_serial ON token_transition (serial, id);
