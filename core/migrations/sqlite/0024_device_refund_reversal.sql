-- A completed device refund can be reversed (Payroc's reverseRefund: taken out of the open batch, so
-- no money goes to the card). Its status gains 'reversed'; the reversal's own progress (its
-- idempotency key, written before it is sent, and how Payroc answered) sits beside it. SQLite cannot
-- change a CHECK in place, so the table is rebuilt with every column it has today.
CREATE TABLE device_refunds_v2 (
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
                         ('sending', 'waiting_for_card', 'completed', 'declined', 'failed', 'canceled',
                          'unknown', 'reversed')),
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
    updated_at         BIGINT NOT NULL,
    claimed_by         TEXT,
    claimed_until      BIGINT,
    last_sent_at       BIGINT,
    instruction_body   TEXT,
    entry_method       TEXT NOT NULL DEFAULT 'device_read'
                         CHECK (entry_method IN ('device_read', 'manual_entry', 'device_read_or_manual_entry')),
    reversal_status    TEXT CHECK (reversal_status IN ('reversing', 'reversed', 'refused')),
    reversal_key       TEXT UNIQUE,
    reversal_sends     INTEGER NOT NULL DEFAULT 0,
    reversal_last_sent_at BIGINT,
    reversal_message   TEXT
);
INSERT INTO device_refunds_v2 (id, device, amount, currency, order_id, description, operator,
    checkout_id, idempotency_key, request_key, request_fingerprint, status, instruction_id, refund_id,
    card, approved_amount, message, sends, checks, next_check_at, requested_by, created_at, updated_at,
    claimed_by, claimed_until, last_sent_at, instruction_body, entry_method)
SELECT id, device, amount, currency, order_id, description, operator,
    checkout_id, idempotency_key, request_key, request_fingerprint, status, instruction_id, refund_id,
    card, approved_amount, message, sends, checks, next_check_at, requested_by, created_at, updated_at,
    claimed_by, claimed_until, last_sent_at, instruction_body, entry_method
FROM device_refunds;
DROP TABLE device_refunds;
ALTER TABLE device_refunds_v2 RENAME TO device_refunds;
CREATE INDEX device_refunds_due ON device_refunds (next_check_at);
CREATE INDEX device_refunds_of_checkout ON device_refunds (checkout_id);
