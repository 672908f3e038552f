-- Refunds on a payment device (Payroc Cloud): written before the device is asked, with the
-- idempotency key every send of its instruction reuses; watched in the background until they end.
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
    sends              INTEGER NOT NULL DEFAULT 0,
    checks             INTEGER NOT NULL DEFAULT 0,
    next_check_at      BIGINT,
    requested_by       TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX device_refunds_due ON device_refunds (next_check_at);
CREATE INDEX device_refunds_of_checkout ON device_refunds (checkout_id);
