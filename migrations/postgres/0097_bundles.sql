-- Anonymous bundles: files uploaded together behind one link, with a delete
-- link of their own (docs/web.md, "Bundles"). delete_hash: SHA-256 of the
-- bundle's delete secret, as for anonymous files.
CREATE TABLE bundles (
    id TEXT PRIMARY KEY,
    delete_hash TEXT NOT NULL,
    created BIGINT NOT NULL
);
CREATE TABLE bundle_files (
    bundle_id TEXT NOT NULL,
    file_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (bundle_id, file_id)
);
CREATE INDEX bundle_files_file ON bundle_files(file_id);
