-- A version per editable configuration row (see db/row_version.hpp): every save increments it,
-- and a save from a form read at an older version is refused with 409.
ALTER TABLE policy ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

ALTER TABLE realm ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

ALTER TABLE resolver ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

ALTER TABLE resolver_user ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

ALTER TABLE event_handler ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
