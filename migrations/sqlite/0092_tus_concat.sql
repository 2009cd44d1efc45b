-- Concatenation (docs/resumable.md): 'partial' for a part of a file sent
-- in several uploads at once, 'final;<urls>' for the upload they became
-- (its Upload-Concat header as HEAD answers it), '' for a plain upload.
ALTER TABLE tus_uploads ADD COLUMN concat TEXT NOT NULL DEFAULT '';
