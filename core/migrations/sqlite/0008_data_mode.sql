-- Facts about the database itself, e.g. which kind of data it holds ('sandbox' or 'live'), stamped
-- on first start and checked on every start: sandbox and live never share a database.
CREATE TABLE database_facts (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
