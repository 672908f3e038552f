//! An operator's work on the database itself, without a running server: its schema's status, its
//! migrations applied on their own (`paydesk migrate`), and an online, consistent copy of a SQLite
//! database (`paydesk backup`).

use std::path::Path;

use sqlx::any::AnyPoolOptions;

use super::database::{
    connect_options, known_migrations, sqlite_file, Dialect, InstanceLock, StoreError,
};
use super::schema::{self, KnownMigration, SchemaStatus};

/// A one-connection pool on `url`.
async fn open(url: &str) -> Result<(Dialect, sqlx::AnyPool), StoreError> {
    let (dialect, connect) = connect_options(url)?;
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect_with(connect)
        .await?;
    Ok((dialect, pool))
}

/// The database's schema against this build's migrations.
pub async fn schema_status(url: &str) -> Result<SchemaStatus, StoreError> {
    let (dialect, pool) = open(url).await?;
    let status = schema::status(&pool, dialect, &known_migrations(dialect, None)).await;
    pool.close().await;
    status
}

/// Applies this build's pending migrations and returns them. A SQLite database is migrated only
/// while no server has it open (its instance lock); PostgreSQL's migrations take an advisory lock,
/// so instances may keep running on a schema that only grows (`expand_…` migrations).
pub async fn apply_migrations(url: &str) -> Result<Vec<KnownMigration>, StoreError> {
    let _lock = InstanceLock::acquire(url)?;
    let (dialect, pool) = open(url).await?;
    let migrator = known_migrations(dialect, None);
    let before = schema::status(&pool, dialect, &migrator).await?;
    if let Some(refusal) = before.refusal() {
        return Err(refusal);
    }
    migrator.run(&pool).await?;
    schema::record_applied(&pool, &migrator, crate::clock::now_ms()).await?;
    pool.close().await;
    Ok(before.pending().cloned().collect())
}

/// Writes an online, consistent copy of the SQLite database at `url` into `file` (`VACUUM INTO`:
/// one read transaction, so the copy is the database at one instant while the server keeps
/// serving). `file` must not exist.
pub async fn backup_sqlite(url: &str, file: &Path) -> Result<(), StoreError> {
    let Some(source) = sqlite_file(url) else {
        return Err(StoreError::Backup(
            "paydesk backup copies a SQLite database; back up PostgreSQL with pg_dump \
             (docs/operating/backups.md)"
                .into(),
        ));
    };
    if !Path::new(source).is_file() {
        return Err(StoreError::Backup(format!("{source} does not exist")));
    }
    if file.exists() {
        return Err(StoreError::Backup(format!(
            "{} exists: the backup is written to a new file",
            file.display()
        )));
    }
    let (_, pool) = open(url).await?;
    let target = file.display().to_string();
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&pool)
        .await?;
    pool.close().await;
    Ok(())
}
