-- Small files kept in the database instead of the blob store
-- (docs/architecture.md, "Small files inline"): written in the same
-- transaction as their file row. blob_key is the row's files.blob_key.
CREATE TABLE inline_blobs (
    blob_key TEXT PRIMARY KEY,
    data BYTEA NOT NULL
);
