-- The public side of enrollment forms. A one-time link is asked for by address; its secret is
-- made when the mail goes out (only its SHA-256 is kept), used once, within its time. A session
-- is what a person holds after authenticating on a form (by link or secret ID): its token's
-- SHA-256, the address, and the organization of a person who gave their secret ID.
CREATE TABLE enrollment_link (
  id VARCHAR(64) PRIMARY KEY,
  form VARCHAR(64) NOT NULL,
  email VARCHAR(255) NOT NULL,
  token_hash VARCHAR(64) NOT NULL,
  expires_at BIGINT NOT NULL,
  used INTEGER NOT NULL
);

CREATE TABLE enrollment_session (
  token_hash VARCHAR(64) PRIMARY KEY,
  form VARCHAR(64) NOT NULL,
  email VARCHAR(255) NOT NULL,
  organization VARCHAR(64) NOT NULL,
  expires_at BIGINT NOT NULL
);
