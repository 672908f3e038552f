//! Gateway lookups of hosted-form sessions, per attempt: a hint right after a lookup that found the
//! session untouched reuses that answer, and the background refresh a page view asks for runs once
//! at a time and at most once per [`FRESH_FOR`] (a flood of reloads costs the gateway one lookup
//! every two seconds). Only ever used to show the same live form again — never to decide that a
//! session went unused.

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
    refreshes: Arc<Mutex<HashMap<String, Refresh>>>,
}

/// A page view's background lookup of one attempt.
#[derive(Clone, Copy, Debug)]
enum Refresh {
    Running,
    EndedAt(Instant),
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

    /// Whether a page view of `attempt_id` should start a background lookup now: none is running,
    /// and none ended less than [`FRESH_FOR`] ago. `true` marks one running until
    /// [`RecentLookups::end_refresh`].
    pub fn start_refresh(&self, attempt_id: &str) -> bool {
        let mut refreshes = self
            .refreshes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let due = match refreshes.get(attempt_id) {
            Some(Refresh::Running) => false,
            Some(Refresh::EndedAt(at)) => at.elapsed() >= FRESH_FOR,
            None => true,
        };
        if due {
            if refreshes.len() >= MAX_REMEMBERED {
                refreshes.retain(|_, refresh| match refresh {
                    Refresh::Running => true,
                    Refresh::EndedAt(at) => at.elapsed() < FRESH_FOR,
                });
            }
            refreshes.insert(attempt_id.to_string(), Refresh::Running);
        }
        due
    }

    /// The background lookup [`RecentLookups::start_refresh`] allowed has ended (either way).
    pub fn end_refresh(&self, attempt_id: &str) {
        self.refreshes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(attempt_id.to_string(), Refresh::EndedAt(Instant::now()));
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

    #[test]
    fn one_background_refresh_at_a_time_and_one_per_window() {
        let lookups = RecentLookups::default();
        assert!(lookups.start_refresh("att_1"));
        assert!(!lookups.start_refresh("att_1"), "one is running");
        assert!(lookups.start_refresh("att_2"), "per attempt");
        lookups.end_refresh("att_1");
        assert!(!lookups.start_refresh("att_1"), "one just ended");
        lookups
            .refreshes
            .lock()
            .unwrap()
            .insert("att_1".into(), Refresh::EndedAt(Instant::now() - FRESH_FOR));
        assert!(lookups.start_refresh("att_1"));
    }
}
