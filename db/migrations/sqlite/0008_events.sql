-- The event engine: handlers (what to do on which event), the durable log of events that some
-- handler wanted, and the outbox of deliveries with their retries. PostgreSQL has its own file
-- for the id columns.
CREATE TABLE event_handler (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name VARCHAR(64) NOT NULL UNIQUE,
  events VARCHAR(1024) NOT NULL,
  position VARCHAR(8) NOT NULL,
  ordering INTEGER NOT NULL,
  active INTEGER NOT NULL,
  conditions TEXT NOT NULL,
  notifier VARCHAR(128) NOT NULL,
  action VARCHAR(64) NOT NULL,
  options TEXT NOT NULL
);

CREATE TABLE event (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name VARCHAR(64) NOT NULL,
  position VARCHAR(8) NOT NULL,
  time_us BIGINT NOT NULL,
  payload TEXT NOT NULL,
  dispatched INTEGER NOT NULL
);

CREATE INDEX event_waiting ON event (dispatched, id);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id BIGINT NOT NULL,
  handler VARCHAR(64) NOT NULL,
  notifier VARCHAR(128) NOT NULL,
  action VARCHAR(64) NOT NULL,
  request TEXT NOT NULL,
  state VARCHAR(16) NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_ms BIGINT NOT NULL,
  last_error VARCHAR(1024) NOT NULL,
  created_ms BIGINT NOT NULL,
  delivered_ms BIGINT NOT NULL
);

CREATE INDEX outbox_due ON outbox (state, next_attempt_ms);

-- When each certificate's expiry was announced (0: not yet).
ALTER TABLE certificate ADD COLUMN expiry_announced BIGINT NOT NULL DEFAULT 0;

-- An admin's e-mail address, for event mails to the acting admin.
ALTER TABLE admin ADD COLUMN email VARCHAR(255) NOT NULL DEFAULT '';
