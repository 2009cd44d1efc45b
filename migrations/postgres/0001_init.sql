-- dropspace schema (PostgreSQL). Times are unix seconds unless named *_ms.
CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    user_name TEXT NOT NULL,
    user_name_lower TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    email TEXT NOT NULL,
    email_lower TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    md5_sealed TEXT NOT NULL,
    membership TEXT NOT NULL DEFAULT 'lite',
    membership_ends BIGINT NOT NULL DEFAULT 0,
    activated BIGINT NOT NULL DEFAULT 0,
    activation_hash TEXT,
    disk_used BIGINT NOT NULL DEFAULT 0,
    bandwidth_used BIGINT NOT NULL DEFAULT 0,
    bandwidth_period BIGINT NOT NULL DEFAULT 0,
    created BIGINT NOT NULL
);
CREATE INDEX users_email ON users(email_lower);
CREATE INDEX users_activation ON users(activation_hash);

CREATE TABLE api_keys (
    id BIGSERIAL PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    min_app_version TEXT NOT NULL DEFAULT '',
    created BIGINT NOT NULL
);

CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    api_version TEXT NOT NULL,
    expires BIGINT NOT NULL
);

CREATE TABLE sessions (
    key_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    api_version TEXT NOT NULL,
    created BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE mail_queue (
    id BIGSERIAL PRIMARY KEY,
    recipient TEXT NOT NULL,
    message TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt BIGINT NOT NULL,
    claimed_until BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    created BIGINT NOT NULL
);
CREATE INDEX mail_queue_next ON mail_queue(next_attempt);

CREATE TABLE folders (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    parent_id TEXT NOT NULL DEFAULT '0',
    name TEXT NOT NULL,
    shared BIGINT NOT NULL DEFAULT 0,
    created BIGINT NOT NULL
);
CREATE INDEX folders_user_parent ON folders(user_id, parent_id);

CREATE TABLE files (
    id TEXT PRIMARY KEY,
    -- NULL for anonymous uploads
    user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    folder_id TEXT NOT NULL DEFAULT '0',
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- download password, sealed with the server key; '' = none
    password_sealed TEXT NOT NULL DEFAULT '',
    size BIGINT NOT NULL,
    blob_key TEXT NOT NULL,
    checksum TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT 'application/octet-stream',
    uploaded BIGINT NOT NULL,
    downloads BIGINT NOT NULL DEFAULT 0,
    -- seconds as set by files.setInfo, and the absolute deadline it gives (0 = none)
    time_limit BIGINT NOT NULL DEFAULT 0,
    time_limit_at BIGINT NOT NULL DEFAULT 0,
    download_limit BIGINT NOT NULL DEFAULT 0,
    limit_action BIGINT NOT NULL DEFAULT 0,
    limit_action_to_folder TEXT NOT NULL DEFAULT '',
    -- 1 once the limit action ran (blocks further downloads for action 1)
    limit_reached BIGINT NOT NULL DEFAULT 0,
    -- anonymous uploads: sha256 of the delete secret
    delete_hash TEXT NOT NULL DEFAULT ''
);
CREATE INDEX files_user_folder ON files(user_id, folder_id);
CREATE INDEX files_time_limit ON files(time_limit_at);

CREATE TABLE addressbook (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    email_lower TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    type BIGINT NOT NULL DEFAULT 0,
    created BIGINT NOT NULL,
    PRIMARY KEY (user_id, email_lower)
);

CREATE TABLE upload_ids (
    id TEXT PRIMARY KEY,
    -- NULL for anonymous
    user_id BIGINT,
    api_version TEXT NOT NULL,
    speed_limit BIGINT NOT NULL DEFAULT 0,
    max_file_size BIGINT NOT NULL,
    -- 0 unused, 1 claimed by an upload in progress, 2 finished
    state BIGINT NOT NULL DEFAULT 0,
    expires BIGINT NOT NULL,
    created BIGINT NOT NULL
);

CREATE TABLE progress (
    upload_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    uploaded BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL DEFAULT 0,
    started_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    file_id TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT ''
);

-- blobs written but not yet (or never) attached to a file row; swept after a grace period
CREATE TABLE pending_blobs (
    blob_key TEXT PRIMARY KEY,
    created BIGINT NOT NULL
);
