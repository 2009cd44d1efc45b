-- The expiry lifecycle (docs/expiry.md). expiry_warned: the expiry a
-- warning mail was sent for (0: none yet); the sweep claims an item by
-- setting it in one conditional UPDATE, so several nodes send one mail.
-- An extension moves the expiry, so the item is warned again later.
ALTER TABLE files ADD COLUMN expiry_warned BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sends ADD COLUMN expiry_warned BIGINT NOT NULL DEFAULT 0;
CREATE INDEX send_links_expires ON send_links(expires);

-- Deleted and expired files of accounts, kept until purge_at with the
-- columns they had in files (same id, blob, checksums); a restore moves
-- the row back. Their bytes do not count against the owner's quota.
CREATE TABLE trash (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    folder_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    password_sealed TEXT NOT NULL,
    size BIGINT NOT NULL,
    blob_key TEXT NOT NULL,
    checksum TEXT NOT NULL,
    crc32 BIGINT,
    content_type TEXT NOT NULL,
    uploaded BIGINT NOT NULL,
    downloads BIGINT NOT NULL,
    time_limit BIGINT NOT NULL,
    time_limit_at BIGINT NOT NULL,
    download_limit BIGINT NOT NULL,
    limit_action BIGINT NOT NULL,
    limit_action_to_folder TEXT NOT NULL,
    limit_reached BIGINT NOT NULL,
    bytes_served BIGINT NOT NULL,
    bytes_reserved BIGINT NOT NULL,
    quarantined BIGINT NOT NULL,
    -- 1: deleted by its owner, 2: expired (its limit action deleted it)
    reason BIGINT NOT NULL,
    trashed_at BIGINT NOT NULL,
    purge_at BIGINT NOT NULL
);
CREATE INDEX trash_user ON trash(user_id);
CREATE INDEX trash_purge ON trash(purge_at);
