//! When a link's time is up — or the merchant canceled it — it takes no new session; it becomes
//! `expired` (or `canceled`) — and what it holds on a payment's ledger is released — only once every
//! session of it is proven unused: a lookup after the session's own expiry (plus a grace for a card
//! submitted at the last second) found nothing.

use crate::merchant_events;
use crate::model::{AttemptState, CheckoutStatus};
use crate::payments::error::PaymentsError;
use crate::payments::links::new_session::DEFAULT_SESSION_MS;
use crate::payments::rules::schedule::proof_time;
use crate::payments::rules::status;
use crate::store::{now_ms, AttemptRecord, LinkRecord};
use crate::AppState;

/// The link's time is up: no new session may be opened for it.
pub fn link_expired(link: &LinkRecord, now: i64) -> bool {
    now >= link.expires_at
}

/// Whether the link takes no new session: canceled, or its time up by the database's clock.
/// Instances' clocks drift: one running ahead must never end a link (releasing what it holds) that
/// another instance still opens sessions for. The database is asked only once this instance's own
/// clock says the time is up.
pub async fn time_is_up(state: &AppState, link: &LinkRecord) -> Result<bool, PaymentsError> {
    if link.canceled_at.is_some() {
        return Ok(true);
    }
    Ok(link_expired(link, now_ms()) && link_expired(link, state.store.database_now().await?))
}

/// How a link that takes no new session ends once nothing of it can be paid: `canceled` when the
/// merchant canceled it, else `expired`. Any other status is kept.
pub fn ended_as(link: &LinkRecord, status: CheckoutStatus) -> CheckoutStatus {
    match status {
        CheckoutStatus::Expired if link.canceled_at.is_some() => CheckoutStatus::Canceled,
        other => other,
    }
}

/// When a lookup that finds `attempt` unused proves it unused.
fn proof_time_of(attempt: &AttemptRecord) -> i64 {
    proof_time(attempt.expires_at).unwrap_or(attempt.created_at + DEFAULT_SESSION_MS)
}

/// After a lookup found `attempt` unused: if it was made past its proof time, the session is proven
/// unused (`expired`, nothing left to check). Returns whether it was. The proof time is compared with
/// the database's clock, never this instance's: an instance whose clock runs ahead would otherwise
/// prove a session unused — releasing what it holds — while the gateway still takes a card in it.
/// (The grace allows the database's and the gateway's clocks to differ by up to 30 s.)
pub async fn prove_unused(
    state: &AppState,
    attempt: &AttemptRecord,
    now: i64,
) -> Result<bool, PaymentsError> {
    if !matches!(attempt.state, AttemptState::Open | AttemptState::Replaced) {
        return Ok(false);
    }
    if state.store.database_now().await? < proof_time_of(attempt) {
        return Ok(false);
    }
    state
        .store
        .set_attempt_state(&attempt.id, AttemptState::Expired, now, None)
        .await?;
    tracing::info!(attempt = %attempt.id, link = %attempt.checkout_id, "session proven unused after its expiry");
    Ok(true)
}

/// Marks a link whose time is up (by the database's clock) `expired` — or a canceled one
/// `canceled`, telling the merchant — when nothing of it can still be paid. Returns whether it has
/// ended now.
pub async fn expire_if_due(state: &AppState, link: &LinkRecord) -> Result<bool, PaymentsError> {
    if link.status == CheckoutStatus::Canceled {
        return Ok(true);
    }
    if link.authorized_transaction_id.is_some() || !time_is_up(state, link).await? {
        return Ok(false);
    }
    let now = now_ms();
    let attempts: Vec<AttemptState> = state
        .store
        .attempts_for(&link.id)
        .await?
        .iter()
        .map(|a| a.state)
        .collect();
    let status = ended_as(link, status::checkout_status(&attempts, true));
    if status == CheckoutStatus::Canceled {
        let event = merchant_events::for_link_cancel(link, now);
        if state.store.end_canceled_link(&link.id, &event, now).await? {
            tracing::info!(link = %link.id, "canceled link ended unused; it pays nothing");
            return Ok(true);
        }
        return Ok(false);
    }
    if status != CheckoutStatus::Expired {
        state.store.set_link_status(&link.id, status, now).await?;
        return Ok(false);
    }
    let event = merchant_events::for_link_expiry(link, now);
    if state.store.end_expired_link(&link.id, &event, now).await? {
        tracing::info!(link = %link.id, "link expired; nothing of it can be paid any more");
    }
    Ok(true)
}
