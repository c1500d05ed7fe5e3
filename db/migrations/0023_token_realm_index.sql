-- A realm's tokens in serial order: what a realm's admin lists (GET /token/?realm=), and
-- keyset pages (after=<serial>) within it.
CREATE INDEX token_realm ON token (owner_realm, serial);
