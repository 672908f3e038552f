-- Which paydesk applied each migration (issue 29): what a refusal names when an older binary meets
-- a schema a newer one changed. Migrations from here on are named expand_… (a previous release
-- keeps working on the schema: new tables, new nullable columns, new indexes) or contract_… (it
-- would not: dropped or renamed columns, new constraints); see docs/operating/upgrades.md.
CREATE TABLE schema_history (
    version BIGINT PRIMARY KEY,
    paydesk_version TEXT NOT NULL,
    applied_at BIGINT NOT NULL
);
-- Migrations applied before this table existed: the paydesk that applied them is not known.
INSERT INTO schema_history (version, paydesk_version, applied_at)
SELECT version, 'unrecorded', 0 FROM _sqlx_migrations;
