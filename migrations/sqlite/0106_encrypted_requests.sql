-- File requests whose uploads are encrypted in the uploader's browser to
-- the owner's age keys (docs/encryption.md, "Encrypted file requests"); the
-- server refuses anything else into them.
ALTER TABLE file_requests ADD COLUMN encrypted BIGINT NOT NULL DEFAULT 0;
