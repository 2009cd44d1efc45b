-- Accounts an operator manages (docs/operations.md). disabled: when
-- the account was switched off (0: it is on); a disabled account cannot
-- log in and has no sessions. diskspace_override: the account's own disk
-- quota in bytes (-1 unlimited), in place of its tier's; NULL: the tier's.
ALTER TABLE users ADD COLUMN disabled BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN diskspace_override BIGINT;
