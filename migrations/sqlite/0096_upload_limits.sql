-- The limits a resumable upload asked for its file (the upload form's
-- `time_limit`, `downloads_limit` and `limit_action`; docs/api-notes.md),
-- kept until the upload completes.
ALTER TABLE tus_uploads ADD COLUMN time_limit BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tus_uploads ADD COLUMN downloads_limit BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tus_uploads ADD COLUMN limit_action BIGINT NOT NULL DEFAULT 0;
