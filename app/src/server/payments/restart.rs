//! What a previous process left half-done when it died (SIGKILL, power loss): gateway calls in
//! flight become `unknown` and are looked up at once; sessions being opened, whose URLs nobody
//! received, are abandoned. Run once at startup, under the instance lock.

use crate::server::store::{now_ms, StoreError};
use crate::server::AppState;

/// What recovery found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recovered {
    /// Operations whose call was in flight: now `unknown`, due for a lookup.
    pub operations: u64,
    /// Attempts whose session was being opened: now `abandoned`.
    pub attempts: u64,
}

/// Settles what the previous process left in flight; the reconciler then looks each up.
pub async fn recover_interrupted_calls(state: &AppState) -> Result<Recovered, StoreError> {
    let now = now_ms();
    let recovered = Recovered {
        operations: state.store.mark_interrupted_operations_unknown(now).await?,
        attempts: state.store.abandon_interrupted_attempts(now).await?,
    };
    if recovered != Recovered::default() {
        tracing::warn!(
            operations = recovered.operations,
            attempts = recovered.attempts,
            "the previous process stopped during gateway calls: operations will be looked up, \
             sessions never shown are abandoned"
        );
    }
    Ok(recovered)
}
