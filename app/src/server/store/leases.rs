//! Exclusive access to one named piece of work (a payment's or a refund's state changes, which may
//! span a gateway call) across every paydesk process on the database. On SQLite, where one process
//! runs (the instance lock), an in-process lock is enough. On PostgreSQL the holder is a lease row:
//! renewed while held, deleted when let go, and taken over by another instance once it expires
//! (its holder crashed or stalled).

use std::time::Duration;

use tokio::sync::OwnedMutexGuard;

use super::database::{Store, StoreError};
use super::timestamps::now_ms;

/// A lease lasts this long without renewal: a crashed holder's work is taken over after it.
pub const LEASE_TTL: Duration = Duration::from_secs(15);
/// A held lease is renewed this often.
const RENEW_EVERY: Duration = Duration::from_secs(5);
/// While a lease is held elsewhere, it is asked for again after a wait growing to this.
const MAX_WAIT_STEP: Duration = Duration::from_millis(100);

/// Held while the work named in [`Store::lock`] runs; letting go of it releases the lease.
#[derive(Debug)]
pub struct WorkLock {
    _local: OwnedMutexGuard<()>,
    lease: Option<HeldLease>,
}

#[derive(Debug)]
struct HeldLease {
    store: Store,
    name: String,
    renewal: tokio::task::JoinHandle<()>,
}

impl Drop for WorkLock {
    fn drop(&mut self) {
        if let Some(lease) = self.lease.take() {
            lease.renewal.abort();
            // Let go at once so a waiter elsewhere need not wait for expiry; if this never runs
            // (the runtime is stopping), the lease simply expires.
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    if let Err(error) = lease.store.release_lease(&lease.name).await {
                        tracing::warn!(%error, lease = %lease.name, "could not release a lease; it will expire");
                    }
                });
            }
        }
    }
}

impl Store {
    /// Waits for and holds exclusive access to `name` (e.g. a checkout's id) across every paydesk
    /// process on this database, until the returned lock is dropped.
    pub async fn lock(&self, name: &str) -> Result<WorkLock, StoreError> {
        let local = self.local_locks.lock(name).await;
        if !self.dialect.is_shared() {
            return Ok(WorkLock {
                _local: local,
                lease: None,
            });
        }
        let mut step = Duration::from_millis(2);
        while !self.take_lease(name, now_ms()).await? {
            tokio::time::sleep(step).await;
            step = (step * 2).min(MAX_WAIT_STEP);
        }
        Ok(WorkLock {
            _local: local,
            lease: Some(HeldLease {
                store: self.clone(),
                name: name.to_string(),
                renewal: self.keep_renewed(
                    name.to_string(),
                    Some("a held lease was taken over (this process stalled past its expiry)"),
                ),
            }),
        })
    }

    /// Renews the lease `name` every [`RENEW_EVERY`] until it is no longer this instance's (released,
    /// or taken over: then `taken_over` is logged as an error, if given) or the task is aborted.
    fn keep_renewed(
        &self,
        name: String,
        taken_over: Option<&'static str>,
    ) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(RENEW_EVERY);
            ticker.tick().await;
            loop {
                ticker.tick().await;
                match store.renew_lease(&name, now_ms()).await {
                    Ok(true) => {}
                    Ok(false) => {
                        if let Some(message) = taken_over {
                            tracing::error!(lease = %name, "{message}");
                        }
                        break;
                    }
                    Err(error) => tracing::warn!(%error, lease = %name, "could not renew a lease"),
                }
            }
        })
    }

    /// Takes the lease `name` if it is free or expired; `true` when this instance now holds it.
    pub async fn take_lease(&self, name: &str, now: i64) -> Result<bool, StoreError> {
        let expires_at = now + LEASE_TTL.as_millis() as i64;
        let taken = sqlx::query(
            "INSERT INTO leases (name, holder, expires_at, taken) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
             expires_at = excluded.expires_at, taken = leases.taken + 1 \
             WHERE leases.expires_at <= $4",
        )
        .bind(name)
        .bind(&*self.instance)
        .bind(expires_at)
        .bind(now)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(taken == 1)
    }

    /// Pushes a held lease's expiry on; `false` when this instance no longer holds it.
    async fn renew_lease(&self, name: &str, now: i64) -> Result<bool, StoreError> {
        let renewed =
            sqlx::query("UPDATE leases SET expires_at = $1 WHERE name = $2 AND holder = $3")
                .bind(now + LEASE_TTL.as_millis() as i64)
                .bind(name)
                .bind(&*self.instance)
                .execute(&self.writer)
                .await?
                .rows_affected();
        Ok(renewed == 1)
    }

    async fn release_lease(&self, name: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(&*self.instance)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Lets go of every lease this instance holds (at shutdown, once in-flight work is done).
    pub async fn release_all_leases(&self) -> Result<u64, StoreError> {
        Ok(sqlx::query("DELETE FROM leases WHERE holder = $1")
            .bind(&*self.instance)
            .execute(&self.writer)
            .await?
            .rows_affected())
    }

    /// A condition true when the process named in `column` (who made a call still in flight, or
    /// claimed a row) is gone: no name recorded, or another process (`self_param` names this one)
    /// without a live instance lease. On SQLite there are no lease rows (one process runs), so
    /// every earlier process counts as gone.
    pub(super) fn gone_caller_clause(column: &str, now_param: &str, self_param: &str) -> String {
        format!(
            "({column} IS NULL OR ({column} <> {self_param} AND NOT EXISTS (SELECT 1 FROM leases \
             WHERE leases.name = 'instance:' || {column} AND leases.expires_at > {now_param})))"
        )
    }

    /// On PostgreSQL: takes this instance's own lease (`instance:<name>`) and keeps it renewed
    /// while the pool is open, so other instances know its calls in flight are not interrupted.
    pub(super) async fn announce_instance(&self) -> Result<(), StoreError> {
        if !self.dialect.is_shared() {
            return Ok(());
        }
        let name = format!("instance:{}", self.instance);
        if !self.take_lease(&name, now_ms()).await? {
            return Err(StoreError::Corrupt(format!(
                "the lease {name} is already held"
            )));
        }
        // Renewed until released at shutdown; if this process stalls and another instance sees it
        // gone, its calls in flight get looked up, which is always safe.
        drop(self.keep_renewed(name, None));
        Ok(())
    }
}
