-- Resumable uploads on S3 (docs/resumable.md). multipart_id: the store's
-- multipart upload the parts go into; tus_parts: the parts acknowledged in
-- it; tail_key: an object holding the acknowledged bytes past the last
-- part (fewer than a part), written anew under a new key each time, so
-- the row names exactly the bytes acknowledged.
ALTER TABLE tus_uploads ADD COLUMN multipart_id TEXT NOT NULL DEFAULT '';
ALTER TABLE tus_uploads ADD COLUMN tail_key TEXT NOT NULL DEFAULT '';
CREATE TABLE tus_parts (
    tus_id TEXT NOT NULL,
    part_number BIGINT NOT NULL,
    etag TEXT NOT NULL,
    size BIGINT NOT NULL,
    PRIMARY KEY (tus_id, part_number)
);
