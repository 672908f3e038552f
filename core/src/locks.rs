//! Per-key async locks, so two requests about the same checkout never interleave their state
//! changes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

#[derive(Clone, Debug, Default)]
pub struct KeyedLocks {
    locks: Arc<Mutex<HashMap<String, Weak<AsyncMutex<()>>>>>,
}

impl KeyedLocks {
    /// Waits for and holds the lock for `key` until the guard is dropped.
    pub async fn lock(&self, key: &str) -> OwnedMutexGuard<()> {
        let mutex = {
            let mut map = self
                .locks
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            map.retain(|_, weak| weak.strong_count() > 0);
            match map.get(key).and_then(Weak::upgrade) {
                Some(existing) => existing,
                None => {
                    let fresh = Arc::new(AsyncMutex::new(()));
                    map.insert(key.to_string(), Arc::downgrade(&fresh));
                    fresh
                }
            }
        };
        mutex.lock_owned().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn same_key_is_exclusive_other_keys_are_not() {
        let locks = KeyedLocks::default();
        let held = locks.lock("a").await;
        assert!(
            tokio::time::timeout(Duration::from_millis(50), locks.lock("a"))
                .await
                .is_err()
        );
        assert!(
            tokio::time::timeout(Duration::from_millis(50), locks.lock("b"))
                .await
                .is_ok()
        );
        drop(held);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), locks.lock("a"))
                .await
                .is_ok()
        );
    }
}
