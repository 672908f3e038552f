-- A refund of a Commerce Hub charge that was authorized and not captured is carried out as a cancel
-- (POST /payments/v1/cancels: Commerce Hub refuses to refund it, 837). A request can now be a
-- cancel; the refund keeps which request moved its money. SQLite cannot change a CHECK in place, so
-- the requests' table is rebuilt with every column it has today.
CREATE TABLE gateway_refund_attempts_v2 (
    client_request_id  TEXT PRIMARY KEY,
    refund_id          TEXT NOT NULL REFERENCES gateway_refunds (id),
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
DROP TABLE gateway_refund_attempts;
ALTER TABLE gateway_refund_attempts_v2 RENAME TO gateway_refund_attempts;
CREATE INDEX gateway_refund_attempts_of ON gateway_refund_attempts (refund_id, created_at);

ALTER TABLE gateway_refunds ADD COLUMN refunded_by TEXT
    CHECK (refunded_by IN ('tagged', 'unmatched', 'cancel'));
-- Refunds that ended refunded before: the kind of their last answered request.
UPDATE gateway_refunds SET refunded_by = (SELECT a.kind FROM gateway_refund_attempts a
    WHERE a.refund_id = gateway_refunds.id AND a.state = 'answered'
    ORDER BY a.created_at DESC LIMIT 1)
    WHERE status = 'refunded';
