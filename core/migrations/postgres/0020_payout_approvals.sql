-- Four eyes on large unbound payouts (issue 28): above PAYDESK_UNBOUND_PAYOUT_APPROVAL_ABOVE a
-- refund link or device refund not bound to a payment is only asked for; a second staff member
-- approves (it is then created, as asked, by whoever asked) or rejects it.
CREATE TABLE payout_approvals (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('refund_link', 'device_refund')),
    -- The request as it was made (JSON), replayed on approval.
    request       TEXT NOT NULL,
    request_key   TEXT NOT NULL UNIQUE,
    amount        BIGINT NOT NULL CHECK (amount > 0),
    currency      TEXT NOT NULL,
    requested_by  TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
    decided_by    TEXT,
    decided_at    BIGINT,
    result_id     TEXT,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX payout_approvals_pending ON payout_approvals (status, created_at);
