//! The check every unbound payout passes before it exists, under one lock for the deployment so
//! two requests can never both fit under a daily cap that has room for one.

use crate::payments::actor::Actor;
use crate::payments::error::PaymentsError;
use crate::payments::rules::payout_limits::{decide, RecentPayouts};
use crate::store::{now_ms, WorkLock};
use crate::AppState;

/// The lock every unbound payout is created under.
const LOCK: &str = "unbound-payouts";

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Whether `requester` may make an unbound payout of `amount` in `currency` now: if so, the lock
/// to keep (and whose fence to write under) until the payout is written.
pub(in crate::payments) async fn check_unbound_payout(
    state: &AppState,
    requester: &Actor,
    amount: i64,
    currency: &str,
) -> Result<WorkLock, PaymentsError> {
    let guard = state.store.lock(LOCK).await?;
    // Rows carry their instance's clock; the earlier of two clocks makes the window, if anything,
    // longer.
    let since = state.store.database_now().await?.min(now_ms()) - DAY_MS;
    let (by_requester, all) = state
        .store
        .recent_unbound_payouts(since, currency, requester.as_str())
        .await?;
    let recent = RecentPayouts { by_requester, all };
    decide(&state.config.payout_limits, amount, recent).map_err(|refusal| {
        tracing::warn!(
            requester = requester.as_str(),
            amount,
            currency,
            code = refusal.code,
            "unbound payout refused by the payout limits"
        );
        PaymentsError::Refused(refusal)
    })?;
    Ok(guard)
}
