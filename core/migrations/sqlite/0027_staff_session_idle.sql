-- A console session ends after PAYDESK_CONSOLE_IDLE_SECS without a request (as well as 8 hours
-- after sign-in): when it was last used, written at most every few seconds.
ALTER TABLE staff_sessions ADD COLUMN last_seen_at BIGINT;
