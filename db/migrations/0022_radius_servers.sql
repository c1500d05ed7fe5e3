-- RADIUS servers that radius tokens forward their checks to (eduMFA's /radiusserver/). The
-- shared secret is sealed under binding::radius_secret(name).
CREATE TABLE radius_server (
  name VARCHAR(64) PRIMARY KEY,
  host VARCHAR(255) NOT NULL,
  port INTEGER NOT NULL,
  sealed_secret TEXT NOT NULL,
  timeout_seconds INTEGER NOT NULL,
  retries INTEGER NOT NULL,
  description VARCHAR(255) NOT NULL
);
