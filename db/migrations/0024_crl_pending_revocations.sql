-- A revocation no longer signs a CRL at once: it counts itself on its CA's CRL row, and the CRL
-- is signed anew when it is next asked for or by the background job, once per batch of
-- revocations. included is the count the stored CRL was built from.
ALTER TABLE ca_crl ADD COLUMN revocations BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ca_crl ADD COLUMN included BIGINT NOT NULL DEFAULT 0;
