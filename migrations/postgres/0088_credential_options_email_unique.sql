-- file_send credentials: an optional address allow-list (comma list of
-- addresses and CIDR blocks; empty = any address) and the signed-body mode
-- (the signature also covers the parameters), both off by default
-- (docs/file-send.md).
ALTER TABLE api_credentials ADD COLUMN allowed_ips TEXT NOT NULL DEFAULT '';
ALTER TABLE api_credentials ADD COLUMN signed_body BIGINT NOT NULL DEFAULT 0;

-- One account per e-mail address (any case). Duplicates left by concurrent
-- registrations before this index: the oldest account keeps the address,
-- the later ones have it cleared (docs/operations.md).
UPDATE users SET email = '', email_lower = ''
WHERE email_lower <> ''
  AND id <> (SELECT MIN(u.id) FROM users u WHERE u.email_lower = users.email_lower);
CREATE UNIQUE INDEX users_email_unique ON users(email_lower) WHERE email_lower <> '';
