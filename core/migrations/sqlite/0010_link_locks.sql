-- Card testing: a link locks after too many declined cards (no new card form opens) until the
-- merchant unlocks it; declines before an unlock are forgiven.
ALTER TABLE checkouts ADD COLUMN locked_at BIGINT;
ALTER TABLE checkouts ADD COLUMN declines_forgiven INTEGER NOT NULL DEFAULT 0;
