-- Virus scanning (docs/scanning.md): a file over scan.max_bytes is stored
-- quarantined, hidden from every lookup and listing until a background scan
-- finds it clean. 0: visible; otherwise the unix time from which a node may
-- (again) scan it.
ALTER TABLE files ADD COLUMN quarantined BIGINT NOT NULL DEFAULT 0;
CREATE INDEX files_quarantined ON files (quarantined) WHERE quarantined > 0;
