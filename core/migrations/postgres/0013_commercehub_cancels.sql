-- A refund of a Commerce Hub charge that was authorized and not captured is carried out as a cancel
-- (POST /payments/v1/cancels: Commerce Hub refuses to refund it, 837). A request can now be a
-- cancel; the refund keeps which request moved its money.
ALTER TABLE gateway_refund_attempts DROP CONSTRAINT gateway_refund_attempts_kind_check;
ALTER TABLE gateway_refund_attempts ADD CONSTRAINT gateway_refund_attempts_kind_check
    CHECK (kind IN ('tagged', 'unmatched', 'cancel'));
ALTER TABLE gateway_refunds ADD COLUMN refunded_by TEXT
    CHECK (refunded_by IN ('tagged', 'unmatched', 'cancel'));
-- Refunds that ended refunded before: the kind of their last answered request.
UPDATE gateway_refunds SET refunded_by = (SELECT a.kind FROM gateway_refund_attempts a
    WHERE a.refund_id = gateway_refunds.id AND a.state = 'answered'
    ORDER BY a.created_at DESC LIMIT 1)
    WHERE status = 'refunded';
