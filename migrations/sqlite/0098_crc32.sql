-- The CRC-32 of each file's bytes, computed as the upload streams beside
-- the BLAKE3 checksum: a zip download writes it into its headers before
-- sending any byte (docs/zip.md). NULL for older files until
-- `dropspace admin fsck --repair` reads them.
ALTER TABLE files ADD COLUMN crc32 BIGINT;
