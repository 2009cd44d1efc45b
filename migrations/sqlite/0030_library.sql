-- Blobs whose file row is gone but whose removal waits: a limit action
-- deletes the file while the download that reached the limit is about to
-- open the blob, and a failed removal is retried. Removed once
-- delete_after has passed; a row is claimed by deleting it.
CREATE TABLE deleted_blobs (
    blob_key TEXT PRIMARY KEY,
    delete_after BIGINT NOT NULL
);
CREATE INDEX deleted_blobs_due ON deleted_blobs(delete_after);
