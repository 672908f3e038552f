//! What stands between a password guesser and the console: a lock-out of an account after repeated
//! failed sign-ins (from any address), reported once per lock rather than once per try, and a bound
//! on concurrent argon2 hashes (half the cores) so a flood of sign-ins cannot take the CPU from checkout. (The rate
//! per client address is the edge's, `rate_limits`.) Kept in memory: a restart forgets locks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Failed sign-ins that lock an account.
pub const MAX_FAILURES: u32 = 5;
/// Accounts tracked at once (memory stays bounded under a flood of made-up emails).
const MAX_TRACKED: usize = 10_000;
/// Password hashes computed at once: each takes ~19 MiB and a core for tens of milliseconds, so at
/// most half the machine's cores (one on a 2-core machine) — the rest stay with checkout.
fn concurrent_hashes() -> usize {
    std::thread::available_parallelism()
        .map(|cores| (cores.get() / 2).clamp(1, 4))
        .unwrap_or(1)
}
/// How long a sign-in waits for a free hasher before it is told to come back.
const HASH_WAIT: Duration = Duration::from_secs(5);

#[derive(Debug)]
struct Failures {
    count: u32,
    first_at: Instant,
    locked_until: Option<Instant>,
}

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
    lock_for: Duration,
    failures: Mutex<HashMap<String, Failures>>,
    hashers: Arc<Semaphore>,
}

impl LoginGuard {
    /// Locks an account for `lock_for` after [`MAX_FAILURES`] failures within that time.
    pub fn new(lock_for: Duration) -> Self {
        LoginGuard {
            lock_for,
            failures: Mutex::new(HashMap::new()),
            hashers: Arc::new(Semaphore::new(concurrent_hashes())),
        }
    }

    /// How long a lock lasts.
    pub fn lock_for(&self) -> Duration {
        self.lock_for
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How long `account` stays locked, if it is.
    pub fn locked_for(&self, account: &str) -> Option<Duration> {
        let now = Instant::now();
        self.table()
            .get(account)
            .and_then(|f| f.locked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    /// Counts a failed sign-in of `account`.
    pub fn record_failure(&self, account: &str) -> FailureNote {
        let now = Instant::now();
        let mut table = self.table();
        if table.len() >= MAX_TRACKED && !table.contains_key(account) {
            let lock_for = self.lock_for;
            table.retain(|_, f| {
                f.locked_until.is_some_and(|until| until > now)
                    || now.duration_since(f.first_at) < lock_for
            });
            if table.len() >= MAX_TRACKED {
                return FailureNote::Quiet;
            }
        }
        let entry = table.entry(account.to_string()).or_insert(Failures {
            count: 0,
            first_at: now,
            locked_until: None,
        });
        let window_over = now.duration_since(entry.first_at) >= self.lock_for
            && entry.locked_until.is_none_or(|until| until <= now);
        if window_over {
            *entry = Failures {
                count: 0,
                first_at: now,
                locked_until: None,
            };
        }
        entry.count += 1;
        match entry.count {
            1 => FailureNote::First,
            n if n == MAX_FAILURES => {
                entry.locked_until = Some(now + self.lock_for);
                FailureNote::Locked { failures: n }
            }
            _ => FailureNote::Quiet,
        }
    }

    /// A successful sign-in clears the account's failures.
    pub fn record_success(&self, account: &str) {
        self.table().remove(account);
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

    #[test]
    fn an_account_locks_after_its_failures_and_is_reported_once() {
        let guard = LoginGuard::new(Duration::from_secs(60));
        assert_eq!(guard.record_failure("a@x"), FailureNote::First);
        for _ in 2..MAX_FAILURES {
            assert_eq!(guard.record_failure("a@x"), FailureNote::Quiet);
        }
        assert_eq!(guard.locked_for("a@x"), None);
        assert_eq!(
            guard.record_failure("a@x"),
            FailureNote::Locked {
                failures: MAX_FAILURES
            }
        );
        assert!(guard.locked_for("a@x").is_some());
        assert_eq!(guard.record_failure("a@x"), FailureNote::Quiet);
        assert_eq!(
            guard.locked_for("b@x"),
            None,
            "other accounts are not locked"
        );
        guard.record_success("b@x");
        assert!(guard.locked_for("a@x").is_some());
    }

    #[test]
    fn a_lock_ends_after_its_time() {
        let guard = LoginGuard::new(Duration::from_millis(30));
        for _ in 0..MAX_FAILURES {
            guard.record_failure("a@x");
        }
        assert!(guard.locked_for("a@x").is_some());
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(guard.locked_for("a@x"), None);
        assert_eq!(
            guard.record_failure("a@x"),
            FailureNote::First,
            "a new window"
        );
    }
}
