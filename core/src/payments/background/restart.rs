//! What a paydesk process left half-done when it died (SIGKILL, power loss): gateway calls in
//! flight become `unknown` and are looked up at once; sessions being opened, whose URLs nobody
//! received, are abandoned; rows it had claimed for background work are due again at once. Run at
//! startup (on SQLite under the instance lock: every earlier process is gone) and by the
//! reconciler every so often (on PostgreSQL an instance is gone once its lease runs out).

use crate::measures;
use crate::store::{now_ms, StoreError};
use crate::AppState;

/// What recovery found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recovered {
    /// Operations whose call was in flight: now `unknown`, due for a lookup.
    pub operations: u64,
    /// Attempts whose session was being opened: now `abandoned`.
    pub attempts: u64,
    /// Rows claimed by background work that never finished it: due now.
    pub claims: u64,
}

/// Settles what processes that are gone left in flight; the reconciler then looks each up.
pub async fn take_over_stopped_work(state: &AppState) -> Result<Recovered, StoreError> {
    let now = now_ms();
    let recovered = Recovered {
        operations: state.store.mark_interrupted_operations_unknown(now).await?,
        attempts: state.store.abandon_interrupted_attempts(now).await?,
        claims: state.store.release_orphaned_claims(now).await?,
    };
    measures::recovered(recovered.operations, recovered.attempts, recovered.claims);
    if recovered != Recovered::default() {
        tracing::warn!(
            operations = recovered.operations,
            attempts = recovered.attempts,
            claims = recovered.claims,
            "a paydesk process stopped during its work: its operations will be looked up, sessions \
             it never showed are abandoned, the rows it had claimed are due again"
        );
    }
    Ok(recovered)
}
