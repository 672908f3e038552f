-- The background reconciler's schedule: when each unsettled attempt or operation is next looked up
-- at the gateway, and how many lookups since it last changed (its backoff). NULL = nothing to check.
ALTER TABLE session_attempts ADD COLUMN next_check_at BIGINT;
ALTER TABLE session_attempts ADD COLUMN checks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operations ADD COLUMN next_check_at BIGINT;
ALTER TABLE operations ADD COLUMN checks INTEGER NOT NULL DEFAULT 0;
CREATE INDEX session_attempts_due ON session_attempts (next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX operations_due ON operations (next_check_at) WHERE next_check_at IS NOT NULL;

-- Everything not yet proven settled is due now.
UPDATE session_attempts SET next_check_at = updated_at WHERE state IN ('creating', 'open', 'submitted');
UPDATE operations SET next_check_at = updated_at WHERE state IN ('queued', 'pending', 'unknown');
-- An automatic void that was refused or lost is sent again until one succeeds.
UPDATE operations SET next_check_at = updated_at WHERE initiator = 'paydesk' AND state IN ('rejected', 'lost');

-- At most one automatic void of a given transaction is queued at a time (its key names the try).
UPDATE operations SET idempotency_key = 'automatic-void:' || original_transaction_id || ':0'
 WHERE initiator = 'paydesk' AND idempotency_key IS NULL;
