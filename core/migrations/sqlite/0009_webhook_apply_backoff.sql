-- A stored gateway event that fails to apply is retried with a growing wait, and given up (kept,
-- shown, never deleted) after many attempts: it no longer runs forever. The gateway's own
-- redelivery of it, or a lookup, still settles what it described.
ALTER TABLE webhook_events ADD COLUMN next_apply_at BIGINT;
ALTER TABLE webhook_events ADD COLUMN gave_up_at BIGINT;
