//! Exclusive access to one named piece of work (a payment's or a refund's state changes, which may
//! span a gateway call) across every paydesk process on the database. On SQLite, where one process
//! runs (the instance lock), an in-process lock is enough. On PostgreSQL the holder is a lease row:
//! renewed while held, deleted when let go, and taken over by another instance once it expires
//! (its holder crashed or stalled). Lease times are the database's clock, never an instance's. Every
//! take counts (`taken`): the count a holder took it at is its fence, which the writes it makes under
//! the lease check in their own transaction — a holder that stalled past its lease, and was taken
//! over, has its writes refused instead of applied beside the new holder's.

use std::time::Duration;

use tokio::sync::OwnedMutexGuard;

use super::database::{BindNow, Store, StoreError};

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
    fence: Fence,
    renewal: tokio::task::JoinHandle<()>,
}

/// Proof of holding a lease: its name and the take it was held under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fence {
    name: String,
    token: i64,
}

impl WorkLock {
    /// What the writes made under this lock check (none on SQLite: one process, an in-process lock).
    pub fn fence(&self) -> Option<&Fence> {
        self.lease.as_ref().map(|lease| &lease.fence)
    }
}

impl Drop for WorkLock {
    fn drop(&mut self) {
        if let Some(lease) = self.lease.take() {
            lease.renewal.abort();
            // Let go at once so a waiter elsewhere need not wait for expiry; if this never runs
            // (the runtime is stopping), the lease simply expires.
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    if let Err(error) = lease.store.release_lease(&lease.fence).await {
                        tracing::warn!(%error, lease = %lease.fence.name, "could not release a lease; it will expire");
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
        let fence = loop {
            if let Some(fence) = self.take_lease(name).await? {
                break fence;
            }
            tokio::time::sleep(step).await;
            step = (step * 2).min(MAX_WAIT_STEP);
        };
        Ok(WorkLock {
            _local: local,
            lease: Some(HeldLease {
                store: self.clone(),
                renewal: self.keep_renewed(
                    fence.clone(),
                    Some("a held lease was taken over (this process stalled past its expiry)"),
                ),
                fence,
            }),
        })
    }

    /// Checks, inside the caller's transaction, that `fence` still holds its lease (on PostgreSQL;
    /// SQLite has no fences): the lease row is read `FOR SHARE`, so no other instance can take it over
    /// until the transaction ends — the write it guards happens under the lease or not at all.
    pub(super) async fn check_fence(
        &self,
        conn: &mut sqlx::AnyConnection,
        fence: Option<&Fence>,
    ) -> Result<(), StoreError> {
        let Some(fence) = fence else {
            return Ok(());
        };
        let now = self.dialect.now_ms_sql("$4");
        let sql = format!(
            "SELECT 1 FROM leases WHERE name = $1 AND holder = $2 AND taken = $3 \
             AND expires_at > {now} FOR SHARE"
        );
        let query = sqlx::query(&sql)
            .bind(&fence.name)
            .bind(&*self.instance)
            .bind(fence.token);
        let query = query.bind_now(self);
        match query.fetch_optional(conn).await? {
            Some(_) => Ok(()),
            None => {
                tracing::error!(lease = %fence.name, "a write under a lease this instance no longer holds was refused (it stalled past the lease, and another instance took over)");
                Err(StoreError::Fenced(fence.name.clone()))
            }
        }
    }

    /// Renews the lease `name` every [`RENEW_EVERY`] until it is no longer this instance's (released,
    /// or taken over: then `taken_over` is logged as an error, if given) or the task is aborted.
    fn keep_renewed(
        &self,
        fence: Fence,
        taken_over: Option<&'static str>,
    ) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(RENEW_EVERY);
            ticker.tick().await;
            loop {
                ticker.tick().await;
                match store.renew_lease(&fence).await {
                    Ok(true) => {}
                    Ok(false) => {
                        if let Some(message) = taken_over {
                            tracing::error!(lease = %fence.name, "{message}");
                        }
                        break;
                    }
                    Err(error) => {
                        tracing::warn!(%error, lease = %fence.name, "could not renew a lease")
                    }
                }
            }
        })
    }

    /// Takes the lease `name` if it is free or expired (by the database's clock); its fence when
    /// this instance now holds it.
    pub async fn take_lease(&self, name: &str) -> Result<Option<Fence>, StoreError> {
        let now = self.dialect.now_ms_sql("$4");
        let sql = format!(
            "INSERT INTO leases (name, holder, expires_at, taken) VALUES ($1, $2, {now} + $3, 1) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
             expires_at = excluded.expires_at, taken = leases.taken + 1 \
             WHERE leases.expires_at <= {now} RETURNING taken"
        );
        let query = sqlx::query_as(&sql)
            .bind(name)
            .bind(&*self.instance)
            .bind(LEASE_TTL.as_millis() as i64);
        let query = query.bind_now(self);
        let taken: Option<(i64,)> = query.fetch_optional(&self.writer).await?;
        Ok(taken.map(|(token,)| Fence {
            name: name.to_string(),
            token,
        }))
    }

    /// Pushes a held lease's expiry on (by the database's clock); `false` when this instance no
    /// longer holds it under `fence` (released, or taken over).
    async fn renew_lease(&self, fence: &Fence) -> Result<bool, StoreError> {
        let now = self.dialect.now_ms_sql("$5");
        let sql = format!(
            "UPDATE leases SET expires_at = {now} + $1 WHERE name = $2 AND holder = $3 AND taken = $4"
        );
        let query = sqlx::query(&sql)
            .bind(LEASE_TTL.as_millis() as i64)
            .bind(&fence.name)
            .bind(&*self.instance)
            .bind(fence.token);
        let query = query.bind_now(self);
        Ok(query.execute(&self.writer).await?.rows_affected() == 1)
    }

    async fn release_lease(&self, fence: &Fence) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2 AND taken = $3")
            .bind(&fence.name)
            .bind(&*self.instance)
            .bind(fence.token)
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
    /// without a live instance lease — live by the database's clock on PostgreSQL (`now_param`, this
    /// process's clock, is used on SQLite, where there are no lease rows: one process runs, so every
    /// earlier process counts as gone).
    pub(super) fn gone_caller_clause(
        &self,
        column: &str,
        now_param: &str,
        self_param: &str,
    ) -> String {
        let now = self.dialect.now_ms_sql(now_param);
        format!(
            "({column} IS NULL OR ({column} <> {self_param} AND NOT EXISTS (SELECT 1 FROM leases \
             WHERE leases.name = 'instance:' || {column} AND leases.expires_at > {now})))"
        )
    }

    /// On PostgreSQL: takes this instance's own lease (`instance:<name>`) and keeps it renewed
    /// while the pool is open, so other instances know its calls in flight are not interrupted.
    pub(super) async fn announce_instance(&self) -> Result<(), StoreError> {
        if !self.dialect.is_shared() {
            return Ok(());
        }
        let name = format!("instance:{}", self.instance);
        let Some(fence) = self.take_lease(&name).await? else {
            return Err(StoreError::Corrupt(format!(
                "the lease {name} is already held"
            )));
        };
        // Renewed until released at shutdown; if this process stalls and another instance sees it
        // gone, its calls in flight get looked up, which is always safe.
        drop(self.keep_renewed(fence, None));
        Ok(())
    }
}
