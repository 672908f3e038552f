-- Refund links, referenced operations (capture, void, refund) and server-held secrets.

-- A refund link is a hosted-form link like a checkout, whose session is an unreferenced refund.
-- It may be bound to the checkout whose money it returns.
ALTER TABLE checkouts ADD COLUMN kind TEXT NOT NULL DEFAULT 'payment' CHECK (kind IN ('payment', 'refund'));
ALTER TABLE checkouts ADD COLUMN refund_of_checkout_id TEXT REFERENCES checkouts (id);
CREATE INDEX checkouts_refund_of ON checkouts (refund_of_checkout_id);

-- One row per capture, void or referenced refund, written *before* the gateway is called so that an
-- interrupted call can be looked up by gateway_reference_id and is never sent twice.
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
    UNIQUE (checkout_id, idempotency_key)
);
CREATE INDEX operations_checkout ON operations (checkout_id);
CREATE INDEX operations_unsettled ON operations (state);

-- Secrets paydesk generates for itself on first start (e.g. the refund-link signing key).
CREATE TABLE app_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
