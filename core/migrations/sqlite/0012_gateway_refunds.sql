-- Refunds of charges held at a gateway (Commerce Hub), by reference: a tagged refund first; when the
-- card's account is closed, a signed link where the customer gives a new card (unmatched refund).
-- Written before anything is sent; each call to the gateway is an attempt whose Client-Request-Id
-- and exact body are stored first, so a resend is the same request.
CREATE TABLE gateway_refunds (
    id                 TEXT PRIMARY KEY,
    gateway            TEXT NOT NULL CHECK (gateway IN ('commercehub')),
    original_transaction_id TEXT,
    original_merchant_transaction_id TEXT,
    -- One refund at a time per original charge: the hold (see the partial unique index).
    original_key       TEXT NOT NULL,
    amount             BIGINT NOT NULL CHECK (amount > 0),
    currency           TEXT NOT NULL,
    order_number       TEXT,
    reason             TEXT,
    return_url         TEXT,
    reference_id       TEXT UNIQUE,
    request_fingerprint TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN
                         ('processing', 'refunded', 'declined', 'awaiting_card', 'failed', 'expired')),
    decline_code       TEXT,
    message            TEXT,
    card               TEXT,
    gateway_transaction_id TEXT,
    link_expires_at    BIGINT NOT NULL,
    card_declines      INTEGER NOT NULL DEFAULT 0,
    requested_by       TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE UNIQUE INDEX gateway_refunds_one_open_per_original ON gateway_refunds (original_key)
    WHERE status IN ('processing', 'awaiting_card');

CREATE TABLE gateway_refund_attempts (
    client_request_id  TEXT PRIMARY KEY,
    refund_id          TEXT NOT NULL REFERENCES gateway_refunds (id),
    kind               TEXT NOT NULL CHECK (kind IN ('tagged', 'unmatched')),
    -- The exact bytes sent (and resent).
    body               TEXT NOT NULL,
    first_sent_at      BIGINT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('sending', 'answered', 'unknown', 'replaced')),
    api_trace_id       TEXT,
    created_at         BIGINT NOT NULL
);
CREATE INDEX gateway_refund_attempts_of ON gateway_refund_attempts (refund_id, created_at);

-- Hosted Fields sessions opened for a refund's customer page. The sessionId never leaves the server.
CREATE TABLE gateway_refund_sessions (
    id                 TEXT PRIMARY KEY,
    refund_id          TEXT NOT NULL REFERENCES gateway_refunds (id),
    session_id         TEXT NOT NULL,
    access_token       TEXT NOT NULL,
    public_key         TEXT NOT NULL,
    key_id             TEXT NOT NULL,
    expires_at         BIGINT NOT NULL,
    used               INTEGER NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL
);
CREATE INDEX gateway_refund_sessions_of ON gateway_refund_sessions (refund_id, created_at);
