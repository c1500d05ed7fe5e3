-- The applications that check factors (eduMFA's /client/): the product of their User-Agent, by
-- client address and by the node that saw them, with the last time. Each node collects them in
-- memory and writes them now and then, so a check costs no write for this.
CREATE TABLE client_application (
  ip VARCHAR(64) NOT NULL,
  client_type VARCHAR(64) NOT NULL,
  node VARCHAR(255) NOT NULL,
  last_seen BIGINT NOT NULL,
  PRIMARY KEY (ip, client_type, node)
);
