-- Failed console sign-ins per account, counted by every instance together: a lock-out holds across
-- a fleet and across a restart. A window starts at its first failure and ends `lock_for` later
-- (or when the lock it led to ends); rows whose window ended are forgotten.
CREATE TABLE sign_in_failures (
    account           TEXT PRIMARY KEY,
    failures          BIGINT NOT NULL,
    window_started_at BIGINT NOT NULL,
    locked_until      BIGINT
);
CREATE INDEX sign_in_failures_window ON sign_in_failures (window_started_at);
