-- Who downloaded (docs/receipts.md): one row per completed download, a
-- whole copy of a file delivered (docs/api-notes.md, "Download counting"),
-- kept for `limits.download_log_retention_days`. owner_id is the file's
-- owner when it completed (0: anonymous), so the log is read by owner.
-- recipient and send_id name a file_send recipient link ('' and 0 for
-- anything else); account is the account whose URL or login fetched it.
CREATE TABLE download_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file_id TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    account BIGINT NOT NULL,
    client_ip TEXT NOT NULL,
    recipient TEXT NOT NULL,
    send_id BIGINT NOT NULL
);
CREATE INDEX download_log_file ON download_log(file_id, at);
CREATE INDEX download_log_at ON download_log(at);

-- Signed delivery receipts of file_send links: payload is the exact signed
-- JSON text, signature its Ed25519 signature (base64). One per link and
-- file: the first time the link's bytes cover the whole file.
CREATE TABLE delivery_receipts (
    id TEXT PRIMARY KEY,
    send_id BIGINT NOT NULL,
    token_hash TEXT NOT NULL,
    file_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    payload TEXT NOT NULL,
    signature TEXT NOT NULL,
    UNIQUE (token_hash, file_id)
);
CREATE INDEX delivery_receipts_send ON delivery_receipts(send_id, at);
