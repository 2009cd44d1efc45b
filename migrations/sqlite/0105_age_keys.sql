-- Accounts' age public keys (docs/encryption.md, "Account keys"): what
-- senders encrypt to so that each recipient decrypts with their own
-- identity. Public by nature; the identities never reach the server.
CREATE TABLE age_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created BIGINT NOT NULL,
    UNIQUE (user_id, public_key)
);
CREATE INDEX age_keys_user ON age_keys(user_id);
