-- Downloads count by bytes delivered (docs/api-notes.md "Download counting").
-- bytes_served: bytes handed to clients, all time; downloads stays
-- floor(bytes_served / size). bytes_reserved: the part of open claims not
-- yet delivered (files with a download limit only).
ALTER TABLE files ADD COLUMN bytes_served BIGINT NOT NULL DEFAULT 0;
ALTER TABLE files ADD COLUMN bytes_reserved BIGINT NOT NULL DEFAULT 0;
UPDATE files SET bytes_served = downloads * size;

-- One open download of a limited file: its range, what it reserved (the
-- range's length; what it had sent once released), what it has sent, when
-- its stream last refreshed it, and until when the reservation holds
-- without a refresh (a crashed node's claims expire and are swept by any
-- node). taker: a hash naming who asked (signed URL, recipient link), so
-- a resume can release the reservation of its own stalled stream.
CREATE TABLE download_claims (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file_id TEXT NOT NULL,
    taker TEXT NOT NULL,
    range_start BIGINT NOT NULL,
    range_end BIGINT NOT NULL,
    reserved BIGINT NOT NULL,
    sent BIGINT NOT NULL DEFAULT 0,
    released BIGINT NOT NULL DEFAULT 0,
    refreshed BIGINT NOT NULL,
    lease_until BIGINT NOT NULL
);
CREATE INDEX download_claims_taker ON download_claims(file_id, taker);
CREATE INDEX download_claims_lease ON download_claims(lease_until);

-- Bytes of each file delivered through each recipient link (receipts are
-- mailed once a recipient has received a whole file).
CREATE TABLE send_link_bytes (
    token_hash TEXT NOT NULL REFERENCES send_links(token_hash) ON DELETE CASCADE,
    file_id TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    PRIMARY KEY (token_hash, file_id)
);
