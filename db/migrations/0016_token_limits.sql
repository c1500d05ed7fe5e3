-- eduMFA's per-token limits, enforced by the checker in the statements that count: how many
-- values were evaluated (count_auth) and accepted (count_auth_success), each with a maximum (0:
-- none), and a validity period in Unix seconds (0: open). Set with POST /token/set.
ALTER TABLE token ADD COLUMN count_auth BIGINT NOT NULL DEFAULT 0;

ALTER TABLE token ADD COLUMN count_auth_max BIGINT NOT NULL DEFAULT 0;

ALTER TABLE token ADD COLUMN count_auth_success BIGINT NOT NULL DEFAULT 0;

ALTER TABLE token ADD COLUMN count_auth_success_max BIGINT NOT NULL DEFAULT 0;

ALTER TABLE token ADD COLUMN valid_from BIGINT NOT NULL DEFAULT 0;

ALTER TABLE token ADD COLUMN valid_until BIGINT NOT NULL DEFAULT 0;
