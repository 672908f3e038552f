-- Who claimed a row for background work, and the due time the claim set. A claim pushes the row's
-- due time on so no instance picks it again meanwhile; when its claimer dies (SIGKILL, power loss),
-- these let a live instance (or the next to start) hand the row back at once instead of waiting for
-- the claim to run out. A row whose due time was since rewritten by the work itself is left alone.
ALTER TABLE session_attempts ADD COLUMN claimed_by TEXT;
ALTER TABLE session_attempts ADD COLUMN claimed_until BIGINT;
ALTER TABLE operations ADD COLUMN claimed_by TEXT;
ALTER TABLE operations ADD COLUMN claimed_until BIGINT;
ALTER TABLE webhook_events ADD COLUMN claimed_by TEXT;
ALTER TABLE webhook_events ADD COLUMN claimed_until BIGINT;
ALTER TABLE device_refunds ADD COLUMN claimed_by TEXT;
ALTER TABLE device_refunds ADD COLUMN claimed_until BIGINT;
ALTER TABLE merchant_events ADD COLUMN claimed_by TEXT;
ALTER TABLE merchant_events ADD COLUMN claimed_until BIGINT;
