-- The dashboard counts checks per minute over the last hour of the audit log.
CREATE INDEX audit_time ON audit (time_us);
