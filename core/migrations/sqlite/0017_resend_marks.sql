-- Every send of a Commerce Hub refund attempt is marked before it goes (by the database's clock), so
-- an attempt never marked was never sent, and a resend waits until an earlier send can no longer be
-- open at the gateway. Attempts written before this migration were sent once, at first_sent_at.
ALTER TABLE gateway_refund_attempts ADD COLUMN last_sent_at BIGINT;
ALTER TABLE gateway_refund_attempts ADD COLUMN sends BIGINT NOT NULL DEFAULT 0;
UPDATE gateway_refund_attempts SET last_sent_at = first_sent_at, sends = 1;

-- The same for device refunds (Payroc): the time of the last send of the refund instruction, marked
-- before it goes. Before this migration `sends` was counted after the answer, so a refund still
-- being sent may have gone out uncounted: it counts as sent, at its last update.
ALTER TABLE device_refunds ADD COLUMN last_sent_at BIGINT;
UPDATE device_refunds SET last_sent_at = updated_at, sends = CASE WHEN sends > 0 THEN sends ELSE 1 END
    WHERE sends > 0 OR status IN ('sending', 'unknown');
