-- The audit log (docs/audit.md): one row per security-relevant event, kept
-- for limits.audit_retention_days. user_id/user_name: the account it is
-- about (0 and '' for none); the name is kept so entries outlive the
-- account. actor: who did it ('user', 'admin-cli', 'system', 'visitor');
-- address: the client's address ('' when there is none, as for the CLI).
-- detail: a short plain text, never a password, token or key.
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    event TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    user_name TEXT NOT NULL,
    actor TEXT NOT NULL,
    address TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_user ON audit_log(user_id, at);

-- App passwords (docs/accounts.md): per-client passwords for sendspace
-- clients' auth.login. The login scheme needs md5(password) on the server,
-- so it is kept sealed under the server key, like the account password's;
-- prefix: its first characters in clear, so the owner can tell them apart.
CREATE TABLE app_passwords (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    md5_sealed TEXT NOT NULL,
    created BIGINT NOT NULL,
    last_used BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX app_passwords_user ON app_passwords(user_id);

-- The sessions page (docs/accounts.md) shows where each session was opened.
ALTER TABLE sessions ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE web_sessions ADD COLUMN address TEXT NOT NULL DEFAULT '';

-- Single-use links mailed to an account's owner (docs/accounts.md): a
-- password reset (purpose 'reset') or a new e-mail address to confirm
-- ('email', value: the new address). Only the token's SHA-256 is kept.
CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    value TEXT NOT NULL,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL
);
CREATE INDEX account_tokens_user ON account_tokens(user_id);
CREATE INDEX account_tokens_expires ON account_tokens(expires);

-- Two-factor login (docs/accounts.md). totp_sealed: the TOTP secret
-- (base32) sealed under the server key ('' none); totp_enabled: when it was
-- turned on (0: off, or enrolment not finished); totp_last_step: the last
-- 30-second step a code was accepted for, so each code works once.
-- is_admin: the account may use the admin console.
ALTER TABLE users ADD COLUMN totp_sealed TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_enabled BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN is_admin BIGINT NOT NULL DEFAULT 0;

-- One-time recovery codes of two-factor login: SHA-256 of each; a used
-- code's row is deleted.
CREATE TABLE recovery_codes (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);

-- Where an account logs in (docs/accounts.md): '' its own password, 'ldap'
-- the directory (its own password is never used; app passwords are).
ALTER TABLE users ADD COLUMN auth_source TEXT NOT NULL DEFAULT '';

-- The identity an account has at its OpenID provider ('oidc' accounts:
-- the ID token's `sub`), so a renamed user keeps their account.
ALTER TABLE users ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
