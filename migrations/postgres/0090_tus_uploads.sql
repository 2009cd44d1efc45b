-- Resumable uploads (tus 1.0; docs/resumable.md), readable by every node.
-- upload_id: the sendspace identifier the upload was created with (claimed,
-- holding `reserved` bytes of its account's space). upload_offset: the bytes
-- acknowledged, all synced. The upload form's optional fields are kept
-- until the upload completes (the password sealed). file_id: set once the
-- upload became a file. lock_*: the PATCH streaming into it now.
CREATE TABLE tus_uploads (
    id TEXT PRIMARY KEY,
    upload_id TEXT NOT NULL,
    upload_length BIGINT NOT NULL,
    upload_offset BIGINT NOT NULL DEFAULT 0,
    reserved BIGINT NOT NULL,
    metadata TEXT NOT NULL,
    file_name TEXT NOT NULL,
    folder_id TEXT NOT NULL,
    description TEXT NOT NULL,
    password_sealed TEXT NOT NULL,
    recipient_email TEXT NOT NULL,
    recipient_message TEXT NOT NULL,
    notify_uploader BIGINT NOT NULL,
    ip TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    file_id TEXT NOT NULL DEFAULT '',
    expires BIGINT NOT NULL,
    lock_token TEXT NOT NULL DEFAULT '',
    lock_until_ms BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX tus_uploads_expires ON tus_uploads(expires);
CREATE INDEX tus_uploads_upload_id ON tus_uploads(upload_id);
