-- STORAGE_QUOTA (issue 19, Low: 5 x 10 MB from one member in 5.3 s, ~43 GB a day): each upload sums
-- its uploader's stored bytes, on whichever replica it lands (src/files/quota.ts).
CREATE INDEX attachments_uploader ON attachments (uploader_id) INCLUDE (size) WHERE sha256 IS NOT NULL;
