-- A Commerce Hub refund waiting for a new card can be canceled by the merchant (issue 28): its
-- status gains 'canceled'. SQLite cannot change a CHECK in place, so the table is rebuilt with every
-- column it has today. Its two child tables are rebuilt with it, pointing at the new table before
-- the old one is dropped (foreign keys stay on: no row is ever without its refund), and the
-- renames carry the references over.
CREATE TABLE gateway_refunds_v2 (
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
                         ('processing', 'refunded', 'declined', 'awaiting_card', 'failed', 'expired',
                          'canceled')),
    decline_code       TEXT,
    message            TEXT,
    card               TEXT,
    gateway_transaction_id TEXT,
    link_expires_at    BIGINT NOT NULL,
    card_declines      INTEGER NOT NULL DEFAULT 0,
    requested_by       TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    next_check_at      BIGINT,
    checks             BIGINT NOT NULL DEFAULT 0,
    claimed_by         TEXT,
    claimed_until      BIGINT,
    refunded_amount    INTEGER,
    refunded_by        TEXT CHECK (refunded_by IN ('tagged', 'unmatched', 'cancel')),
    locked_at          BIGINT,
    declines_forgiven  BIGINT NOT NULL DEFAULT 0
);
INSERT INTO gateway_refunds_v2 (id, gateway, original_transaction_id,
    original_merchant_transaction_id, original_key, amount, currency, order_number, reason,
    return_url, reference_id, request_fingerprint, status, decline_code, message, card,
    gateway_transaction_id, link_expires_at, card_declines, requested_by, created_at, updated_at,
    next_check_at, checks, claimed_by, claimed_until, refunded_amount, refunded_by, locked_at,
    declines_forgiven)
SELECT id, gateway, original_transaction_id,
    original_merchant_transaction_id, original_key, amount, currency, order_number, reason,
    return_url, reference_id, request_fingerprint, status, decline_code, message, card,
    gateway_transaction_id, link_expires_at, card_declines, requested_by, created_at, updated_at,
    next_check_at, checks, claimed_by, claimed_until, refunded_amount, refunded_by, locked_at,
    declines_forgiven
FROM gateway_refunds;

CREATE TABLE gateway_refund_attempts_v2 (
    client_request_id  TEXT PRIMARY KEY,
    refund_id          TEXT NOT NULL REFERENCES gateway_refunds_v2 (id),
    kind               TEXT NOT NULL CHECK (kind IN ('tagged', 'unmatched', 'cancel')),
    -- The exact bytes sent (and resent).
    body               TEXT NOT NULL,
    first_sent_at      BIGINT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('sending', 'answered', 'unknown', 'replaced')),
    api_trace_id       TEXT,
    created_at         BIGINT NOT NULL,
    last_sent_at       BIGINT,
    sends              BIGINT NOT NULL DEFAULT 0
);
INSERT INTO gateway_refund_attempts_v2 (client_request_id, refund_id, kind, body, first_sent_at,
    state, api_trace_id, created_at, last_sent_at, sends)
SELECT client_request_id, refund_id, kind, body, first_sent_at, state, api_trace_id, created_at,
    last_sent_at, sends
FROM gateway_refund_attempts;

CREATE TABLE gateway_refund_sessions_v2 (
    id                 TEXT PRIMARY KEY,
    refund_id          TEXT NOT NULL REFERENCES gateway_refunds_v2 (id),
    session_id         TEXT NOT NULL,
    access_token       TEXT NOT NULL,
    public_key         TEXT NOT NULL,
    key_id             TEXT NOT NULL,
    expires_at         BIGINT NOT NULL,
    used               INTEGER NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL
);
INSERT INTO gateway_refund_sessions_v2 (id, refund_id, session_id, access_token, public_key, key_id,
    expires_at, used, created_at)
SELECT id, refund_id, session_id, access_token, public_key, key_id, expires_at, used, created_at
FROM gateway_refund_sessions;

DROP TABLE gateway_refund_attempts;
DROP TABLE gateway_refund_sessions;
DROP TABLE gateway_refunds;
ALTER TABLE gateway_refunds_v2 RENAME TO gateway_refunds;
ALTER TABLE gateway_refund_attempts_v2 RENAME TO gateway_refund_attempts;
ALTER TABLE gateway_refund_sessions_v2 RENAME TO gateway_refund_sessions;
CREATE UNIQUE INDEX gateway_refunds_one_open_per_original ON gateway_refunds (original_key)
    WHERE status IN ('processing', 'awaiting_card');
CREATE INDEX gateway_refunds_due ON gateway_refunds (next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX gateway_refund_attempts_of ON gateway_refund_attempts (refund_id, created_at);
CREATE INDEX gateway_refund_sessions_of ON gateway_refund_sessions (refund_id, created_at);
