-- What Commerce Hub paid out for a refund: its amount, or less on a partial approval (until now only
-- a message said so, and the refund showed the amount asked for). Refunds that ended refunded
-- before are taken as paid in full, as they were shown.
ALTER TABLE gateway_refunds ADD COLUMN refunded_amount BIGINT;
UPDATE gateway_refunds SET refunded_amount = amount WHERE status = 'refunded';
