//! The database: opening it (SQLite with WAL and full fsync, or PostgreSQL, each with its own
//! migrations run at startup), the store handle every table's methods hang off, and the store's
//! error. Callers never learn which database is behind the store.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::locks::KeyedLocks;

pub(super) use super::dialect::Dialect;
pub use super::error::StoreError;

/// Proof that this process is the only server on its SQLite database, for as long as it is kept: an
/// exclusive lock on `<database>.lock`, released by the operating system when the process ends (even
/// when it is killed).
#[derive(Debug)]
pub struct InstanceLock {
    _file: std::fs::File,
}

impl InstanceLock {
    /// Takes the lock for the database at `url` (`sqlite://path`); an in-memory database needs none,
    /// nor does PostgreSQL.
    pub fn acquire(url: &str) -> Result<Option<InstanceLock>, StoreError> {
        if !url.starts_with("sqlite:") {
            // PostgreSQL: several instances share it, each guarantee held by the database.
            return Ok(None);
        }
        let Some(path) = sqlite_file(url) else {
            return Ok(None);
        };
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

/// The file a `sqlite:` URL names (none for an in-memory database or another scheme).
pub fn sqlite_file(url: &str) -> Option<&str> {
    if !url.starts_with("sqlite:") {
        return None;
    }
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// A `LIKE` pattern matching `text` anywhere, ignoring case (compared with `LOWER(column)`, the
/// same on every database), with `\`, `%` and `_` in it taken literally (`ESCAPE '\'`).
pub(super) fn like_pattern(text: &str) -> String {
    format!(
        "%{}%",
        text.to_lowercase()
            .replace('\\', "\\\\")
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

/// How the store opens its database.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// Connections in the pool (`PAYDESK_DATABASE_POOL_SIZE`).
    pub max_connections: u32,
    /// This process's name in leases it holds (several instances share a PostgreSQL database).
    pub instance: String,
    /// Apply pending migrations when opening (`PAYDESK_MIGRATE_ON_START`); otherwise a database
    /// that lacks one is refused.
    pub migrate: bool,
    /// Know only the migrations up to this version, as the release that shipped them did: how the
    /// compatibility tests run a previous release's schema check. `None`: every migration.
    pub known_up_to: Option<i64>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: 8,
            instance: format!("paydesk-{}-{}", std::process::id(), ulid::Ulid::new()),
            migrate: true,
            known_up_to: None,
        }
    }
}

/// A database URL fit for logs and errors: a password (in the URL's authority or a `password=`
/// parameter) is replaced by `***`; a URL without one is returned as it is.
pub fn redacted_url(text: &str) -> String {
    let Ok(mut url) = url::Url::parse(text) else {
        return text.to_string();
    };
    let query_password = url.query_pairs().any(|(k, _)| k == "password");
    if url.password().is_none() && !query_password {
        return text.to_string();
    }
    if url.password().is_some() {
        // Cannot fail for a URL that already has a password (it has a host).
        let _ = url.set_password(Some("***"));
    }
    if query_password {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "password" {
                    "***".into()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

/// A query whose SQL came from [`Dialect::now_ms_sql`]: binds this process's clock as its last
/// parameter on SQLite; on PostgreSQL the SQL reads the database's clock and nothing is bound.
pub(super) trait BindNow: Sized {
    fn bind_now(self, store: &Store) -> Self;
}

impl<'q> BindNow for sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    fn bind_now(self, store: &Store) -> Self {
        match store.local_now() {
            Some(now) => self.bind(now),
            None => self,
        }
    }
}

impl<'q, O> BindNow for sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    fn bind_now(self, store: &Store) -> Self {
        match store.local_now() {
            Some(now) => self.bind(now),
            None => self,
        }
    }
}

/// The store. Cheap to clone (a pool handle).
#[derive(Clone, Debug)]
pub struct Store {
    /// Reads (and, on PostgreSQL, everything).
    pub(super) pool: AnyPool,
    /// Writes. On SQLite one connection: writers queue here, woken the moment the previous commit
    /// ends, instead of sleeping in SQLite's busy handler (which held a contended write for up to
    /// 100 ms); reads never wait for it (WAL). On PostgreSQL the same pool as reads.
    pub(super) writer: AnyPool,
    pub(super) dialect: Dialect,
    /// Per-name queues in this process (so one process asks the database once per name).
    pub(super) local_locks: KeyedLocks,
    /// This process's name in the leases it holds and the calls it makes.
    pub(super) instance: Arc<str>,
    /// The migrations this store knows ([`StoreOptions::known_up_to`]).
    known_up_to: Option<i64>,
    /// Told after a commit that added merchant events: wakes the deliverer ([`Store::outbox_added`]).
    pub(super) outbox: Arc<tokio::sync::Notify>,
}

impl Store {
    /// The value to bind as the last parameter where [`Dialect::now_ms_sql`] asked for one: this
    /// process's clock on SQLite; `None` on PostgreSQL, whose SQL reads the database's clock.
    fn local_now(&self) -> Option<i64> {
        match self.dialect {
            Dialect::Sqlite => Some(crate::clock::now_ms()),
            Dialect::Postgres => None,
        }
    }

    /// The time now by the database's clock (see [`Dialect::now_ms_sql`]), in Unix milliseconds:
    /// what every instance compares lease and resend times against.
    pub async fn database_now(&self) -> Result<i64, StoreError> {
        match self.dialect {
            Dialect::Sqlite => Ok(crate::clock::now_ms()),
            Dialect::Postgres => {
                let (now,): (i64,) =
                    sqlx::query_as(&format!("SELECT {}", self.dialect.now_ms_sql("")))
                        .fetch_one(&self.pool)
                        .await?;
                Ok(now)
            }
        }
    }

    /// Opens the database at `url` with default options (the command line).
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Store::connect_with(url, StoreOptions::default()).await
    }

    /// Opens the database at `url` (`sqlite:` — created if missing, WAL, full fsync — or
    /// `postgres:`), refuses a schema a newer paydesk changed incompatibly, and runs pending
    /// migrations (or, with `migrate` off, refuses a database that lacks one).
    pub async fn connect_with(url: &str, options: StoreOptions) -> Result<Store, StoreError> {
        let (dialect, connect) = connect_options(url)?;
        let pool = Store::pool(dialect, connect.clone(), options.max_connections.max(1)).await?;
        let migrator = known_migrations(dialect, options.known_up_to);
        let status = super::schema::status(&pool, dialect, &migrator).await?;
        if let Some(refusal) = status.refusal() {
            return Err(refusal);
        }
        let pending = status.pending().next().is_some();
        if options.migrate && pending {
            // Nothing is written when nothing is pending: a command opening the database beside a
            // running server (SQLite: one writer at a time) never waits for its writes.
            migrator.run(&pool).await?;
            super::schema::record_applied(&pool, &migrator, crate::clock::now_ms()).await?;
        } else if let Some(first) = status.pending().next().filter(|_| !options.migrate) {
            return Err(StoreError::SchemaBehind {
                pending: status.pending().count(),
                first: first.version,
            });
        }
        let writer = match dialect {
            Dialect::Sqlite => Store::pool(dialect, connect, 1).await?,
            Dialect::Postgres => pool.clone(),
        };
        let store = Store {
            pool,
            writer,
            dialect,
            local_locks: KeyedLocks::default(),
            instance: options.instance.into(),
            known_up_to: options.known_up_to,
            outbox: Arc::default(),
        };
        store.announce_instance().await?;
        Ok(store)
    }

    /// A pool of `size` connections to the database.
    async fn pool(
        dialect: Dialect,
        connect: AnyConnectOptions,
        size: u32,
    ) -> Result<AnyPool, StoreError> {
        Ok(AnyPoolOptions::new()
            .max_connections(size)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if dialect == Dialect::Sqlite {
                        // Every acknowledged state change must survive a power cut, not only a crash.
                        connection
                            .execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                            )
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(connect)
            .await?)
    }

    /// True when the writer flushes every commit to disk before it returns (SQLite
    /// `synchronous = FULL`, PostgreSQL `synchronous_commit = on`): what every acknowledgement relies on.
    pub async fn flushes_every_commit(&self) -> Result<bool, StoreError> {
        Ok(match self.dialect {
            Dialect::Sqlite => {
                let (level,): (i64,) = sqlx::query_as("PRAGMA synchronous")
                    .fetch_one(&self.writer)
                    .await?;
                level >= 2
            }
            Dialect::Postgres => {
                let (setting,): (String,) = sqlx::query_as("SHOW synchronous_commit")
                    .fetch_one(&self.writer)
                    .await?;
                setting == "on"
            }
        })
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// True when the database answers and holds every migration this build knows (readiness).
    pub async fn is_migrated(&self) -> bool {
        let migrator = known_migrations(self.dialect, self.known_up_to);
        matches!(
            super::schema::status(&self.pool, self.dialect, &migrator).await,
            Ok(status) if status.pending().next().is_none()
        )
    }
}

/// The database's kind and connection options for `url` (a SQLite file is created if missing).
pub(super) fn connect_options(url: &str) -> Result<(Dialect, AnyConnectOptions), StoreError> {
    sqlx::any::install_default_drivers();
    let scheme = url.split(':').next().unwrap_or_default();
    let (dialect, url) = match scheme {
        "sqlite" => (Dialect::Sqlite, sqlite_creating(url)),
        "postgres" | "postgresql" => (Dialect::Postgres, url.to_string()),
        other => return Err(StoreError::UnsupportedUrl(other.to_string())),
    };
    Ok((dialect, AnyConnectOptions::from_str(&url)?))
}

/// This build's migrations, or only those up to `up_to` (a previous release's).
pub(super) fn known_migrations(dialect: Dialect, up_to: Option<i64>) -> sqlx::migrate::Migrator {
    let mut migrator = dialect.migrator();
    if let Some(last) = up_to {
        migrator.migrations = migrator
            .migrations
            .iter()
            .filter(|m| m.version <= last)
            .cloned()
            .collect::<Vec<_>>()
            .into();
    }
    migrator
}

/// A `sqlite:` URL that creates its file when missing (`mode=rwc`) unless it says otherwise.
fn sqlite_creating(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_leave_in_a_database_url() {
        assert_eq!(
            redacted_url("postgres://paydesk:s3cret@db.internal:5432/paydesk"),
            "postgres://paydesk:***@db.internal:5432/paydesk"
        );
        assert_eq!(
            redacted_url("sqlite://data/paydesk.db"),
            "sqlite://data/paydesk.db"
        );
    }

    #[test]
    fn a_sqlite_url_creates_its_file() {
        assert_eq!(
            sqlite_creating("sqlite://data/p.db"),
            "sqlite://data/p.db?mode=rwc"
        );
        assert_eq!(sqlite_creating("sqlite::memory:"), "sqlite::memory:");
    }
}
