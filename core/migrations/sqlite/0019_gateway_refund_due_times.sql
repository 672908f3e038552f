-- Commerce Hub refunds get a due time of their own, claimed like every other background row: a
-- refund whose answer was lost is looked at when due, never crowded out by refunds waiting for a
-- customer's card (those are due when their link expires).
ALTER TABLE gateway_refunds ADD COLUMN next_check_at BIGINT;
ALTER TABLE gateway_refunds ADD COLUMN checks BIGINT NOT NULL DEFAULT 0;
ALTER TABLE gateway_refunds ADD COLUMN claimed_by TEXT;
ALTER TABLE gateway_refunds ADD COLUMN claimed_until BIGINT;
UPDATE gateway_refunds SET next_check_at = CASE status
    WHEN 'awaiting_card' THEN link_expires_at
    WHEN 'processing' THEN updated_at
    ELSE NULL END;
CREATE INDEX gateway_refunds_due ON gateway_refunds (next_check_at) WHERE next_check_at IS NOT NULL;
