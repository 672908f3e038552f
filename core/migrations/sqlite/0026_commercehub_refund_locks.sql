-- Card testing on a refund waiting for a new card: after as many declined cards as a link allows
-- (PAYDESK_MAX_DECLINES_PER_LINK) the refund's page locks until the merchant unlocks it, which
-- forgives the declines so far (as for checkouts and refund links).
ALTER TABLE gateway_refunds ADD COLUMN locked_at BIGINT;
ALTER TABLE gateway_refunds ADD COLUMN declines_forgiven BIGINT NOT NULL DEFAULT 0;
