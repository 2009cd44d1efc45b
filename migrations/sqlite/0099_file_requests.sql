-- File requests (docs/file-requests.md): a link outsiders upload through
-- into one folder of the owner's. files_taken and bytes_taken count the
-- uploads received plus those streaming now (reserved at their creation),
-- so the caps hold exactly under concurrent uploads on any node.
CREATE TABLE file_requests (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    folder_id TEXT NOT NULL,
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    -- sealed with the server key; '' = none
    password_sealed TEXT NOT NULL DEFAULT '',
    -- unix seconds; 0 = never
    expires BIGINT NOT NULL,
    -- 0 = no cap
    max_files BIGINT NOT NULL,
    max_bytes BIGINT NOT NULL,
    max_file_size BIGINT NOT NULL,
    notify BIGINT NOT NULL,
    closed BIGINT NOT NULL DEFAULT 0,
    files_taken BIGINT NOT NULL DEFAULT 0,
    bytes_taken BIGINT NOT NULL DEFAULT 0,
    created BIGINT NOT NULL
);
CREATE INDEX file_requests_user ON file_requests(user_id);
-- The request an identifier uploads into ('' = none) and the bytes its
-- upload holds of the request's caps (-1 = none held).
ALTER TABLE upload_ids ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
ALTER TABLE upload_ids ADD COLUMN request_bytes BIGINT NOT NULL DEFAULT -1;
