-- The first characters of each API key, shown by `admin api-key list` so an
-- operator can tell keys apart; the rest of the key is never stored.
ALTER TABLE api_keys ADD COLUMN prefix TEXT NOT NULL DEFAULT '';
