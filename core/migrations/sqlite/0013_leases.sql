-- Leases: a named piece of work (a payment's state changes, a refund's) held by one paydesk process
-- until it lets go or stops renewing (crashed), when another may take it over. `taken` counts the
-- takes (a fencing number). On SQLite one process runs (the instance lock), so this stays empty;
-- it exists so both databases have one schema.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    taken      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX leases_holder ON leases (holder);

-- Which process made a gateway call still in flight (an operation `pending`, an attempt `creating`):
-- at startup only calls of processes that hold no live lease are taken as interrupted.
ALTER TABLE operations ADD COLUMN in_flight_by TEXT;
ALTER TABLE session_attempts ADD COLUMN in_flight_by TEXT;
