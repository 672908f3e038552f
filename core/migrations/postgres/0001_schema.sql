-- paydesk's schema on PostgreSQL: the same tables, columns and constraints as the SQLite migrations
-- 0001–0013 (migrations/sqlite), in one step. Times are Unix milliseconds and amounts integer minor
-- units, both BIGINT; every counter is BIGINT too, so both databases hand paydesk the same integers.
-- Bodies (gateway JSON, webhook payloads, exact request bytes) are TEXT: kept byte for byte, never
-- reparsed or reordered as JSONB would.

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
    updated_at                BIGINT NOT NULL,
    kind                      TEXT NOT NULL DEFAULT 'payment' CHECK (kind IN ('payment', 'refund')),
    refund_of_checkout_id     TEXT REFERENCES checkouts (id),
    locked_at                 BIGINT,
    declines_forgiven         BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX checkouts_refund_of ON checkouts (refund_of_checkout_id);

CREATE TABLE session_attempts (
    id                   TEXT PRIMARY KEY,
    checkout_id          TEXT NOT NULL REFERENCES checkouts (id),
    seq                  BIGINT NOT NULL,
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
    next_check_at        BIGINT,
    checks               BIGINT NOT NULL DEFAULT 0,
    in_flight_by         TEXT,
    UNIQUE (checkout_id, seq)
);
CREATE INDEX session_attempts_due ON session_attempts (next_check_at) WHERE next_check_at IS NOT NULL;

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
    apply_attempts  BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_apply_at   BIGINT,
    gave_up_at      BIGINT
);
CREATE INDEX webhook_events_unprocessed ON webhook_events (processed_at);

CREATE TABLE operations (
    id                      TEXT PRIMARY KEY,
    checkout_id             TEXT NOT NULL REFERENCES checkouts (id),
    kind                    TEXT NOT NULL CHECK (kind IN ('capture', 'void', 'refund')),
    gateway_reference_id    TEXT NOT NULL UNIQUE,
    original_transaction_id TEXT NOT NULL,
    amount                  BIGINT NOT NULL CHECK (amount BETWEEN 1 AND 999999999),
    state                   TEXT NOT NULL,
    transaction_id          TEXT,
    approved_amount         BIGINT,
    response_code           BIGINT,
    message                 TEXT,
    idempotency_key         TEXT,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL,
    initiator               TEXT NOT NULL DEFAULT 'merchant' CHECK (initiator IN ('merchant', 'paydesk')),
    next_check_at           BIGINT,
    checks                  BIGINT NOT NULL DEFAULT 0,
    in_flight_by            TEXT,
    UNIQUE (checkout_id, idempotency_key)
);
CREATE INDEX operations_checkout ON operations (checkout_id);
CREATE INDEX operations_unsettled ON operations (state);
CREATE INDEX operations_due ON operations (next_check_at) WHERE next_check_at IS NOT NULL;

CREATE TABLE app_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE merchant_events (
    id              TEXT PRIMARY KEY,
    dedupe_key      TEXT NOT NULL UNIQUE,
    event_type      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT,
    delivered_at    BIGINT
);
CREATE INDEX merchant_events_due ON merchant_events (status, next_attempt_at);

CREATE TABLE api_tokens (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    token_hash     TEXT NOT NULL UNIQUE,
    display_prefix TEXT NOT NULL,
    scopes         TEXT NOT NULL,
    source         TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    last_used_at   BIGINT,
    revoked_at     BIGINT
);

CREATE TABLE staff_users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    disabled_at   BIGINT
);

CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES staff_users (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE audit_log (
    id         TEXT PRIMARY KEY,
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    subject    TEXT,
    detail     TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE database_facts (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE device_refunds (
    id                 TEXT PRIMARY KEY,
    device             TEXT NOT NULL,
    amount             BIGINT NOT NULL CHECK (amount > 0),
    currency           TEXT NOT NULL,
    order_id           TEXT NOT NULL,
    description        TEXT NOT NULL,
    operator           TEXT,
    checkout_id        TEXT REFERENCES checkouts (id),
    idempotency_key    TEXT NOT NULL UNIQUE,
    request_key        TEXT UNIQUE,
    request_fingerprint TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN
                         ('sending', 'waiting_for_card', 'completed', 'declined', 'failed', 'canceled', 'unknown')),
    instruction_id     TEXT UNIQUE,
    refund_id          TEXT,
    card               TEXT,
    approved_amount    BIGINT,
    message            TEXT,
    sends              BIGINT NOT NULL DEFAULT 0,
    checks             BIGINT NOT NULL DEFAULT 0,
    next_check_at      BIGINT,
    requested_by       TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX device_refunds_due ON device_refunds (next_check_at);
CREATE INDEX device_refunds_of_checkout ON device_refunds (checkout_id);

CREATE TABLE gateway_refunds (
    id                 TEXT PRIMARY KEY,
    gateway            TEXT NOT NULL CHECK (gateway IN ('commercehub')),
    original_transaction_id TEXT,
    original_merchant_transaction_id TEXT,
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
    card_declines      BIGINT NOT NULL DEFAULT 0,
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
    body               TEXT NOT NULL,
    first_sent_at      BIGINT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('sending', 'answered', 'unknown', 'replaced')),
    api_trace_id       TEXT,
    created_at         BIGINT NOT NULL
);
CREATE INDEX gateway_refund_attempts_of ON gateway_refund_attempts (refund_id, created_at);

CREATE TABLE gateway_refund_sessions (
    id                 TEXT PRIMARY KEY,
    refund_id          TEXT NOT NULL REFERENCES gateway_refunds (id),
    session_id         TEXT NOT NULL,
    access_token       TEXT NOT NULL,
    public_key         TEXT NOT NULL,
    key_id             TEXT NOT NULL,
    expires_at         BIGINT NOT NULL,
    used               BIGINT NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL
);
CREATE INDEX gateway_refund_sessions_of ON gateway_refund_sessions (refund_id, created_at);

CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    taken      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX leases_holder ON leases (holder);
