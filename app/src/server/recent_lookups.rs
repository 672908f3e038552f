//! Gateway lookups that just found a hosted-form session untouched, per attempt: reloads of the page
//! within a couple of seconds reuse that answer instead of asking the gateway (and writing to the
//! database) again. Reloads of one link are serialized by its lock, so the first asks and the rest
//! reuse: a flood of reloads costs the gateway one lookup. Only ever used to show the same live form
//! again — never to decide that a session went unused.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long an "untouched" answer is reused.
pub const FRESH_FOR: Duration = Duration::from_secs(2);
/// Attempts remembered at once (memory stays bounded).
const MAX_REMEMBERED: usize = 10_000;

#[derive(Clone, Debug, Default)]
pub struct RecentLookups {
    untouched_at: Arc<Mutex<HashMap<String, Instant>>>,
}

impl RecentLookups {
    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        self.untouched_at
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the gateway said `attempt_id`'s session was untouched less than [`FRESH_FOR`] ago.
    pub fn untouched_recently(&self, attempt_id: &str) -> bool {
        self.table()
            .get(attempt_id)
            .is_some_and(|at| at.elapsed() < FRESH_FOR)
    }

    /// The gateway just said `attempt_id`'s session is untouched.
    pub fn note_untouched(&self, attempt_id: &str) {
        let mut table = self.table();
        if table.len() >= MAX_REMEMBERED {
            table.retain(|_, at| at.elapsed() < FRESH_FOR);
        }
        table.insert(attempt_id.to_string(), Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_reused_only_while_fresh() {
        let lookups = RecentLookups::default();
        assert!(!lookups.untouched_recently("att_1"));
        lookups.note_untouched("att_1");
        assert!(lookups.untouched_recently("att_1"));
        assert!(!lookups.untouched_recently("att_2"));
        lookups
            .table()
            .insert("att_1".into(), Instant::now() - FRESH_FOR);
        assert!(!lookups.untouched_recently("att_1"));
    }
}
