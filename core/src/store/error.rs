//! The store's error: what a database, a migration or paydesk's own checks refused.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported DATABASE_URL scheme (expected sqlite: or postgres:): {0}")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error(
        "another paydesk server is already running on {0}: stop it first (two processes on one SQLite \
         file would break every guarantee; run several instances on PostgreSQL instead)"
    )]
    InUse(String),
    #[error("the server is stopping: nothing more is stored")]
    Stopping,
    #[error("this instance no longer holds the lease {0} (it stalled past it and another instance took over): its write was refused")]
    Fenced(String),
    #[error(
        "this database was migrated by paydesk {written_by} up to migration {database_migration}; \
         this paydesk {this_version} knows migrations up to {known_migration}, and migration \
         {blocking} changed what it relies on: run paydesk {written_by} or newer, or restore the \
         backup taken before the upgrade (docs/operating/upgrades.md)"
    )]
    SchemaTooNew {
        database_migration: i64,
        written_by: String,
        this_version: &'static str,
        known_migration: i64,
        blocking: String,
    },
    #[error(
        "the database lacks {pending} migration(s) this paydesk needs (from {first} on) and \
         PAYDESK_MIGRATE_ON_START is false: run `paydesk migrate` first"
    )]
    SchemaBehind { pending: usize, first: i64 },
    #[error("cannot back up: {0}")]
    Backup(String),
    #[error("cannot move the database: {0}")]
    Move(String),
    #[error("could not lock {path}: {source}")]
    Lock {
        path: String,
        source: std::io::Error,
    },
}
