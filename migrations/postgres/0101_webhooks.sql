-- Webhooks (docs/webhooks.md). An endpoint belongs to an account, or to the
-- operator (user_id NULL: every account's events). Its secret is sealed
-- with the server key; the last outcome of a delivery attempt is kept on it.
CREATE TABLE webhook_endpoints (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    -- Comma-separated event types.
    events TEXT NOT NULL,
    created BIGINT NOT NULL,
    last_at BIGINT NOT NULL DEFAULT 0,
    -- "200", "HTTP 500" or the error; empty before any attempt.
    last_status TEXT NOT NULL DEFAULT '',
    last_attempts BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webhook_endpoints_user ON webhook_endpoints(user_id);

-- One message to one endpoint, queued like mail: claimed by a conditional
-- UPDATE, retried with backoff. state: 0 pending, 1 delivered, 2 given up.
CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    -- The webhook-id header: the same on every attempt.
    msg_id TEXT NOT NULL,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    created BIGINT NOT NULL,
    next_attempt BIGINT NOT NULL,
    claimed_until BIGINT NOT NULL DEFAULT 0,
    attempts BIGINT NOT NULL DEFAULT 0,
    state BIGINT NOT NULL DEFAULT 0,
    last_at BIGINT NOT NULL DEFAULT 0,
    last_status TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_attempt);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id);
