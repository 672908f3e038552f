//! Who this process is to the database's leases, and its own per-name queues: the state
//! [`Store::lock`](super::Store::lock) works from.

use crate::server::locks::KeyedLocks;

/// The store's locks: per-process queues always (so one process asks the database once per name),
/// and lease rows when several processes may share the database.
#[derive(Debug)]
pub(super) struct Locks {
    pub(super) local: KeyedLocks,
    /// Whether lease rows are used (several processes may share the database).
    pub(super) leases: bool,
    pub(super) instance: String,
}

impl Locks {
    pub(super) fn new(shared: bool, instance: String) -> Locks {
        Locks {
            local: KeyedLocks::default(),
            leases: shared,
            instance,
        }
    }
}
