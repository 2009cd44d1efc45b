-- The transfer path. An upload identifier holds the disk space its upload
-- has reserved so far: the space is charged to the account while the body
-- streams (so parallel uploads cannot pass the quota together) and settled
-- to the file's real size, or released, when the upload ends. A crashed
-- node's reservations are released by the stale-upload sweep.
ALTER TABLE upload_ids ADD COLUMN reserved BIGINT NOT NULL DEFAULT 0;
CREATE INDEX upload_ids_state ON upload_ids(state, expires);
CREATE INDEX progress_updated ON progress(updated_ms);
ALTER TABLE pending_blobs ADD COLUMN upload_id TEXT NOT NULL DEFAULT '';
CREATE INDEX pending_blobs_created ON pending_blobs(created);
