-- The dashboard's checks per minute, counted by the audit writer in the transaction that
-- appends the rows, so that reading an hour costs 60 rows however busy the hour was. Rows
-- written before this migration are counted here once.
CREATE TABLE check_count (
  minute BIGINT PRIMARY KEY,
  accepted BIGINT NOT NULL,
  rejected BIGINT NOT NULL
);

INSERT INTO check_count (minute, accepted, rejected)
SELECT time_us / 60000000 * 60, SUM(success), COUNT(*) - SUM(success) FROM audit
WHERE action IN ('POST /validate/check', 'GET /validate/check', 'POST /validate/radiuscheck',
                 'GET /validate/radiuscheck')
GROUP BY time_us / 60000000;

-- The audit log's time filters.
CREATE INDEX audit_time ON audit (time_us);
