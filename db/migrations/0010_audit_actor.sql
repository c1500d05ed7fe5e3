-- Who asked, apart from whose object was touched: a user acting on someone else's token is
-- recorded as the actor, the token's owner stays in username/realm. Administrators are named in
-- the administrator column as before. Rows written before this migration have empty actors; the
-- chain hashes the actor only when it is set, so their hashes still verify.
ALTER TABLE audit ADD COLUMN actor_user VARCHAR(255) NOT NULL DEFAULT '';

ALTER TABLE audit ADD COLUMN actor_realm VARCHAR(255) NOT NULL DEFAULT '';

CREATE INDEX audit_actor ON audit (actor_user, actor_realm);
