//! What stands between a password guesser and the console: a lock-out of an account after repeated
//! failed sign-ins (from any address, through any instance: counted in the database), reported once
//! per lock rather than once per try, and a bound on concurrent argon2 hashes (half the cores) so a
//! flood of sign-ins cannot take the CPU from checkout. (The rate per client address is the edge's,
//! `rate_limits`.)

use std::sync::Arc;
use std::time::Duration;

use paydesk_core::store::{now_ms, Store, StoreError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Failed sign-ins that lock an account.
pub const MAX_FAILURES: u32 = 5;
/// Password hashes computed at once: each takes ~19 MiB and a core for tens of milliseconds, so at
/// most half the machine's cores (one on a 2-core machine) — the rest stay with checkout.
fn concurrent_hashes() -> usize {
    std::thread::available_parallelism()
        .map(|cores| (cores.get() / 2).clamp(1, 4))
        .unwrap_or(1)
}
/// How long a sign-in waits for a free hasher before it is told to come back.
const HASH_WAIT: Duration = Duration::from_secs(5);

/// What a failed sign-in means for the audit log.
#[derive(Debug, PartialEq, Eq)]
pub enum FailureNote {
    /// The first failure of a window: worth one audit entry.
    First,
    /// This failure locked the account (`failures` in the window): one audit entry.
    Locked { failures: u32 },
    /// Another failure in a window already reported: nothing more to write.
    Quiet,
}

pub struct LoginGuard {
    store: Store,
    lock_for: Duration,
    hashers: Arc<Semaphore>,
}

impl LoginGuard {
    /// Locks an account for `lock_for` after [`MAX_FAILURES`] failures within that time.
    pub fn new(store: Store, lock_for: Duration) -> Self {
        LoginGuard {
            store,
            lock_for,
            hashers: Arc::new(Semaphore::new(concurrent_hashes())),
        }
    }

    /// How long a lock lasts.
    pub fn lock_for(&self) -> Duration {
        self.lock_for
    }

    /// How long `account` stays locked, if it is.
    pub async fn locked_for(&self, account: &str) -> Result<Option<Duration>, StoreError> {
        let now = now_ms();
        Ok(self
            .store
            .sign_in_locked_until(account, now)
            .await?
            .map(|until| Duration::from_millis((until - now).max(0) as u64)))
    }

    /// Counts a failed sign-in of `account`.
    pub async fn record_failure(&self, account: &str) -> Result<FailureNote, StoreError> {
        let failures = self
            .store
            .record_sign_in_failure(
                account,
                now_ms(),
                self.lock_for.as_millis() as i64,
                i64::from(MAX_FAILURES),
            )
            .await?;
        Ok(match failures {
            1 => FailureNote::First,
            n if n == i64::from(MAX_FAILURES) => FailureNote::Locked {
                failures: MAX_FAILURES,
            },
            _ => FailureNote::Quiet,
        })
    }

    /// A successful sign-in clears the account's failures.
    pub async fn record_success(&self, account: &str) -> Result<(), StoreError> {
        self.store.clear_sign_in_failures(account).await
    }

    /// A turn at the password hasher, or `None` when it stayed busy too long.
    pub async fn hasher(&self) -> Option<OwnedSemaphorePermit> {
        tokio::time::timeout(HASH_WAIT, self.hashers.clone().acquire_owned())
            .await
            .ok()?
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn guard(lock_for: Duration) -> (LoginGuard, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/guard.db", dir.path().display());
        let store = Store::connect(&url).await.unwrap();
        (LoginGuard::new(store, lock_for), dir)
    }

    #[tokio::test]
    async fn an_account_locks_after_its_failures_and_is_reported_once() {
        let (guard, _dir) = guard(Duration::from_secs(60)).await;
        assert_eq!(
            guard.record_failure("a@x").await.unwrap(),
            FailureNote::First
        );
        for _ in 2..MAX_FAILURES {
            assert_eq!(
                guard.record_failure("a@x").await.unwrap(),
                FailureNote::Quiet
            );
        }
        assert_eq!(guard.locked_for("a@x").await.unwrap(), None);
        assert_eq!(
            guard.record_failure("a@x").await.unwrap(),
            FailureNote::Locked {
                failures: MAX_FAILURES
            }
        );
        assert!(guard.locked_for("a@x").await.unwrap().is_some());
        assert_eq!(
            guard.record_failure("a@x").await.unwrap(),
            FailureNote::Quiet
        );
        assert_eq!(
            guard.locked_for("b@x").await.unwrap(),
            None,
            "other accounts are not locked"
        );
        guard.record_success("b@x").await.unwrap();
        assert!(guard.locked_for("a@x").await.unwrap().is_some());
    }

    #[tokio::test]
    async fn a_lock_ends_after_its_time() {
        let (guard, _dir) = guard(Duration::from_millis(60)).await;
        for _ in 0..MAX_FAILURES {
            guard.record_failure("a@x").await.unwrap();
        }
        assert!(guard.locked_for("a@x").await.unwrap().is_some());
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert_eq!(guard.locked_for("a@x").await.unwrap(), None);
        assert_eq!(
            guard.record_failure("a@x").await.unwrap(),
            FailureNote::First,
            "a new window"
        );
    }

    #[tokio::test]
    async fn a_success_forgets_the_failures_before_it() {
        let (guard, _dir) = guard(Duration::from_secs(60)).await;
        for _ in 0..MAX_FAILURES - 1 {
            guard.record_failure("a@x").await.unwrap();
        }
        guard.record_success("a@x").await.unwrap();
        assert_eq!(
            guard.record_failure("a@x").await.unwrap(),
            FailureNote::First
        );
        assert_eq!(guard.locked_for("a@x").await.unwrap(), None);
    }
}
