-- Share mails per client address ("addr:…") and per account ("user:…") in
-- the current hour (limits.mails_per_hour_per_*): shared by every node.
CREATE TABLE mail_rate (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    sent BIGINT NOT NULL
);
