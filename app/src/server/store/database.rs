//! The database: opening it (SQLite with WAL and full fsync, migrations at startup), the store
//! handle every table's methods hang off, and the store's error.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported DATABASE_URL scheme (expected sqlite:…): {0}")]
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
    #[error("could not lock {path}: {source}")]
    Lock {
        path: String,
        source: std::io::Error,
    },
}

/// Proof that this process is the only server on its SQLite database, for as long as it is kept: an
/// exclusive lock on `<database>.lock`, released by the operating system when the process ends (even
/// when it is killed).
#[derive(Debug)]
pub struct InstanceLock {
    _file: std::fs::File,
}

impl InstanceLock {
    /// Takes the lock for the database at `url` (`sqlite://path`); an in-memory database needs none.
    pub fn acquire(url: &str) -> Result<Option<InstanceLock>, StoreError> {
        let path = url
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:");
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() || path == ":memory:" {
            return Ok(None);
        }
        let lock_path = format!("{path}.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|source| StoreError::Lock {
                path: lock_path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(Some(InstanceLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::InUse(path.to_string())),
            Err(std::fs::TryLockError::Error(source)) => Err(StoreError::Lock {
                path: lock_path,
                source,
            }),
        }
    }
}

/// A `LIKE` pattern matching `text` anywhere, with `\`, `%` and `_` in it taken literally
/// (`ESCAPE '\'`).
pub(super) fn like_pattern(text: &str) -> String {
    format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// Turns a failed read of one row into an error that names the row when a stored value cannot be
/// read (e.g. a state paydesk does not know), instead of a bare decode error.
pub(crate) fn naming_row<'a>(
    table: &'static str,
    key: &'a str,
) -> impl FnOnce(sqlx::Error) -> StoreError + 'a {
    move |error| match error {
        sqlx::Error::ColumnDecode { index, source } => {
            StoreError::Corrupt(format!("{table} row {key}: column {index}: {source}"))
        }
        other => StoreError::Database(other),
    }
}

/// The store. Cheap to clone (a pool handle).
#[derive(Clone, Debug)]
pub struct Store {
    pub(super) pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the database at `url`, with WAL and full fsync, and runs
    /// migrations.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        if !url.starts_with("sqlite:") {
            let scheme = url.split(':').next().unwrap_or_default().to_string();
            return Err(StoreError::UnsupportedUrl(scheme));
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // Every acknowledged state change must survive a power cut, not only a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store { pool })
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}
