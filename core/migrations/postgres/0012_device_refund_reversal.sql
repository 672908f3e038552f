-- A completed device refund can be reversed (Payroc's reverseRefund: taken out of the open batch, so
-- no money goes to the card). Its status gains 'reversed'; the reversal's own progress (its
-- idempotency key, written before it is sent, and how Payroc answered) sits beside it.
ALTER TABLE device_refunds DROP CONSTRAINT device_refunds_status_check;
ALTER TABLE device_refunds ADD CONSTRAINT device_refunds_status_check CHECK (status IN
    ('sending', 'waiting_for_card', 'completed', 'declined', 'failed', 'canceled', 'unknown', 'reversed'));
ALTER TABLE device_refunds ADD COLUMN reversal_status TEXT
    CHECK (reversal_status IN ('reversing', 'reversed', 'refused'));
ALTER TABLE device_refunds ADD COLUMN reversal_key TEXT UNIQUE;
ALTER TABLE device_refunds ADD COLUMN reversal_sends BIGINT NOT NULL DEFAULT 0;
ALTER TABLE device_refunds ADD COLUMN reversal_last_sent_at BIGINT;
ALTER TABLE device_refunds ADD COLUMN reversal_message TEXT;
