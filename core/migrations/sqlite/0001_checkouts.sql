-- Checkouts, their hosted-form attempts, the gateway transactions we learned of, and received webhooks.
-- Times are Unix milliseconds (BIGINT), amounts integer minor units: portable to Postgres as written.

CREATE TABLE checkouts (
    id                        TEXT PRIMARY KEY,
    merchant_reference_id     TEXT UNIQUE,
    request_fingerprint       TEXT NOT NULL,
    amount                    BIGINT NOT NULL CHECK (amount BETWEEN 1 AND 999999999),
    currency                  TEXT NOT NULL CHECK (currency IN ('USD', 'CAD')),
    amount_breakdown          TEXT,
    order_number              TEXT,
    invoice_number            TEXT,
    description               TEXT,
    return_url                TEXT,
    cancel_url                TEXT,
    status                    TEXT NOT NULL,
    authorized_transaction_id TEXT,
    expires_at                BIGINT NOT NULL,
    created_at                BIGINT NOT NULL,
    updated_at                BIGINT NOT NULL
);

CREATE TABLE session_attempts (
    id                   TEXT PRIMARY KEY,
    checkout_id          TEXT NOT NULL REFERENCES checkouts (id),
    seq                  INTEGER NOT NULL,
    gateway_reference_id TEXT NOT NULL UNIQUE,
    state                TEXT NOT NULL,
    gateway_session_id   TEXT,
    gateway_iframe_id    TEXT,
    iframe_url           TEXT,
    expires_at           BIGINT,
    transaction_id       TEXT,
    result_code          BIGINT,
    response_code        BIGINT,
    result_text          TEXT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    UNIQUE (checkout_id, seq)
);

CREATE TABLE gateway_transactions (
    id               TEXT PRIMARY KEY,
    checkout_id      TEXT REFERENCES checkouts (id),
    attempt_id       TEXT REFERENCES session_attempts (id),
    kind             TEXT NOT NULL,
    status           TEXT NOT NULL,
    reference_id     TEXT,
    result_code      BIGINT,
    response_code    BIGINT,
    requested_amount BIGINT,
    approved_amount  BIGINT,
    card_type        TEXT,
    masked_card      TEXT,
    auth_code        TEXT,
    raw              TEXT NOT NULL,
    first_seen_at    BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX gateway_transactions_checkout ON gateway_transactions (checkout_id);

CREATE TABLE webhook_events (
    event_id        TEXT PRIMARY KEY,
    event_type      TEXT NOT NULL,
    event_timestamp TEXT,
    body            TEXT NOT NULL,
    received_at     BIGINT NOT NULL,
    processed_at    BIGINT,
    outcome         TEXT,
    apply_attempts  INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT
);
CREATE INDEX webhook_events_unprocessed ON webhook_events (processed_at);
