-- A Commerce Hub refund waiting for a new card can be canceled by the merchant (issue 28): its
-- status gains 'canceled'.
ALTER TABLE gateway_refunds DROP CONSTRAINT gateway_refunds_status_check;
ALTER TABLE gateway_refunds ADD CONSTRAINT gateway_refunds_status_check CHECK (status IN
    ('processing', 'refunded', 'declined', 'awaiting_card', 'failed', 'expired', 'canceled'));
