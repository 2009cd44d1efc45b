-- The file_send API: signed API credentials per user, user groups, file
-- preparations, sends and the per-recipient links they mail out.

-- api_key is an identifier; the secret is never stored, only its SHA-1
-- (the HMAC key of the signature scheme), sealed with the server key.
CREATE TABLE api_credentials (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    api_key TEXT NOT NULL UNIQUE,
    key_sealed TEXT NOT NULL,
    created BIGINT NOT NULL,
    revoked BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX api_credentials_user ON api_credentials(user_id);

-- Signatures seen within their validity window (a replay is refused).
CREATE TABLE seen_signatures (
    signature TEXT PRIMARY KEY,
    expires BIGINT NOT NULL
);
CREATE INDEX seen_signatures_expires ON seen_signatures(expires);

CREATE TABLE user_groups (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created BIGINT NOT NULL
);

CREATE TABLE group_members (
    group_id BIGINT NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);

-- send_files_prep: single use, bound to its caller and its sorted id list.
CREATE TABLE file_preps (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    file_ids TEXT NOT NULL,
    expires BIGINT NOT NULL,
    used BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE sends (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    subject TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    require_login BIGINT NOT NULL DEFAULT 0,
    download_receipt BIGINT NOT NULL DEFAULT 0,
    created BIGINT NOT NULL
);

-- What a send holds: files and folders (a folder's files at download time).
CREATE TABLE send_items (
    send_id BIGINT NOT NULL REFERENCES sends(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    PRIMARY KEY (send_id, kind, item_id)
);

-- One personal link per recipient; the token is stored hashed.
CREATE TABLE send_links (
    token_hash TEXT PRIMARY KEY,
    send_id BIGINT NOT NULL REFERENCES sends(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    user_id BIGINT,
    -- 0 = never
    expires BIGINT NOT NULL,
    first_download BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX send_links_send ON send_links(send_id);
