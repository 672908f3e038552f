-- The outbox of events paydesk sends to the merchant's backend. An event is written in the same
-- transaction as the state change it reports, once (dedupe_key), and delivered until acknowledged.
CREATE TABLE merchant_events (
    id              TEXT PRIMARY KEY,
    dedupe_key      TEXT NOT NULL UNIQUE,
    event_type      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT,
    delivered_at    BIGINT
);
CREATE INDEX merchant_events_due ON merchant_events (status, next_attempt_at);
