//! The background reconciler's pass. It looks up at the gateway every attempt and operation that is
//! not settled and whose next check is due — sessions that were or could still be used, submitted
//! cards, unknown operations, calls that died with their process, automatic voids to send or try
//! again — and expires links nothing of which can be paid any more. One row's trouble never holds
//! the others back (each row has its own backoff, and the soonest due come first), and a gateway that
//! says "too many requests" ends the pass.

use crate::measures;
use crate::model::{AttemptState, OperationState};
use crate::payments::error::PaymentsError;
use crate::payments::links::link_expiry::{expire_if_due, prove_unused};
use crate::payments::rules::schedule::{
    after_failed_lookup, open_session_check, submitted_check, CLAIM_MS, CREATING_TIMEOUT_MS,
    STALE_PENDING_MS,
};
use crate::payments::steps::apply::{look_up_attempt, look_up_operation, Lookup};
use crate::payments::steps::operate::{look_up_stale, send_queued};
use crate::payments::steps::stray_voids;
use crate::store::{now_ms, AttemptRecord, OperationRecord};
use crate::AppState;

/// What a pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reconciled {
    /// Rows looked at.
    pub checked: usize,
    /// Rows whose state changed (settled, proven unused, sent, expired, tried again).
    pub changed: usize,
    /// The gateway said too many requests: the pass stopped early.
    pub rate_limited: bool,
}

enum Checked {
    Changed,
    Unchanged,
    RateLimited,
}

/// One pass over at most `limit` due attempts, `limit` due operations and `limit` links to expire.
pub async fn reconcile_due(state: &AppState, limit: i64) -> Result<Reconciled, PaymentsError> {
    let pass = pass_over_due(state, limit).await?;
    measures::reconciler_pass(pass.checked, pass.changed);
    Ok(pass)
}

async fn pass_over_due(state: &AppState, limit: i64) -> Result<Reconciled, PaymentsError> {
    let now = now_ms();
    let mut pass = Reconciled::default();
    for attempt in state
        .store
        .claim_due_attempts(now, limit, now + CLAIM_MS)
        .await?
    {
        let checked = check_attempt(state, &attempt).await;
        if count(&mut pass, checked, || async {
            state
                .store
                .reschedule_attempt(
                    &attempt.id,
                    Some(after_failed_lookup(now_ms(), attempt.checks + 1)),
                )
                .await
        })
        .await
        {
            return Ok(pass);
        }
    }
    for op in state
        .store
        .claim_due_operations(now, limit, now + CLAIM_MS)
        .await?
    {
        let checked = check_operation(state, &op).await;
        if count(&mut pass, checked, || async {
            state
                .store
                .reschedule_operation(&op.id, Some(after_failed_lookup(now_ms(), op.checks + 1)))
                .await
        })
        .await
        {
            return Ok(pass);
        }
    }
    for link in state.store.links_past_expiry(now, limit).await? {
        let _guard = state.store.lock(&link.id).await?;
        pass.checked += 1;
        if let Some(link) = state.store.link(&link.id).await? {
            if expire_if_due(state, &link).await? {
                pass.changed += 1;
            }
        }
    }
    if pass.changed > 0 {
        tracing::info!(
            checked = pass.checked,
            changed = pass.changed,
            "reconciler pass"
        );
    }
    Ok(pass)
}

/// Counts one row's check; a failed check is logged and the row pushed back (`push_back`), never
/// stopping the pass. Returns whether the pass must stop (rate limited).
async fn count<F, Fut>(
    pass: &mut Reconciled,
    checked: Result<Checked, PaymentsError>,
    push_back: F,
) -> bool
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<(), crate::store::StoreError>>,
{
    pass.checked += 1;
    match checked {
        Ok(Checked::Changed) => pass.changed += 1,
        Ok(Checked::Unchanged) => {}
        Ok(Checked::RateLimited) => {
            tracing::warn!(
                "the gateway is rate limiting paydesk: reconciliation paused until the next pass"
            );
            pass.rate_limited = true;
            return true;
        }
        Err(error) => {
            tracing::warn!(%error, "reconciler could not check a row; it is pushed back");
            if let Err(error) = push_back().await {
                tracing::warn!(%error, "reconciler could not reschedule a row");
            }
        }
    }
    false
}

/// Looks an unsettled attempt up and applies what the gateway says; proves an expired session unused.
async fn check_attempt(state: &AppState, due: &AttemptRecord) -> Result<Checked, PaymentsError> {
    let _guard = state.store.lock(&due.checkout_id).await?;
    let Some(attempt) = state.store.attempt(&due.id).await? else {
        return Ok(Checked::Unchanged);
    };
    let Some(link) = state.store.link(&attempt.checkout_id).await? else {
        return Ok(Checked::Unchanged);
    };
    let now = now_ms();
    match attempt.state {
        AttemptState::Creating if now >= attempt.created_at + CREATING_TIMEOUT_MS => {
            // The call that was to open its session died: nobody has the form's URL.
            state
                .store
                .set_attempt_state(&attempt.id, AttemptState::Abandoned, now, None)
                .await?;
            expire_if_due(state, &link).await?;
            Ok(Checked::Changed)
        }
        AttemptState::Creating => {
            state
                .store
                .reschedule_attempt(&attempt.id, Some(attempt.created_at + CREATING_TIMEOUT_MS))
                .await?;
            Ok(Checked::Unchanged)
        }
        AttemptState::Open | AttemptState::Replaced | AttemptState::Submitted => {
            match look_up_attempt(state, &attempt).await? {
                Lookup::Found(_) => {
                    let after = state.store.attempt(&attempt.id).await?;
                    if after
                        .as_ref()
                        .is_some_and(|a| a.state == AttemptState::Submitted)
                    {
                        let next = submitted_check(now, attempt.checks + 1);
                        state
                            .store
                            .reschedule_attempt(&attempt.id, Some(next))
                            .await?;
                    }
                    Ok(if after.is_some_and(|a| a.state != attempt.state) {
                        Checked::Changed
                    } else {
                        Checked::Unchanged
                    })
                }
                Lookup::Untouched => {
                    if prove_unused(state, &attempt, now).await? {
                        expire_if_due(state, &link).await?;
                        return Ok(Checked::Changed);
                    }
                    let next = match attempt.state {
                        AttemptState::Submitted => submitted_check(now, attempt.checks + 1),
                        _ => open_session_check(now, attempt.expires_at, attempt.checks + 1),
                    };
                    state
                        .store
                        .reschedule_attempt(&attempt.id, Some(next))
                        .await?;
                    Ok(Checked::Unchanged)
                }
                Lookup::Failed { rate_limited } => {
                    let next = after_failed_lookup(now, attempt.checks + 1);
                    state
                        .store
                        .reschedule_attempt(&attempt.id, Some(next))
                        .await?;
                    Ok(if rate_limited {
                        Checked::RateLimited
                    } else {
                        Checked::Unchanged
                    })
                }
            }
        }
        _ => {
            state.store.reschedule_attempt(&attempt.id, None).await?;
            Ok(Checked::Unchanged)
        }
    }
}

/// Sends a queued operation, looks up an unknown (or stale) one, or tries a failed automatic void
/// again.
async fn check_operation(
    state: &AppState,
    due: &OperationRecord,
) -> Result<Checked, PaymentsError> {
    let Some(op) = state.store.operation(&due.id).await? else {
        return Ok(Checked::Unchanged);
    };
    let now = now_ms();
    let looked = match op.state {
        // Claimed atomically, then sent without holding the payment's lock.
        OperationState::Queued => {
            return Ok(if send_queued(state, &op).await? {
                Checked::Changed
            } else {
                Checked::Unchanged
            });
        }
        OperationState::Pending if now - op.updated_at < STALE_PENDING_MS => {
            state
                .store
                .reschedule_operation(&op.id, Some(op.updated_at + STALE_PENDING_MS))
                .await?;
            return Ok(Checked::Unchanged);
        }
        OperationState::Pending => {
            let _guard = state.store.lock(&op.checkout_id).await?;
            look_up_stale(state, &op, now).await?
        }
        OperationState::Unknown => {
            let _guard = state.store.lock(&op.checkout_id).await?;
            look_up_operation(state, &op).await?
        }
        OperationState::Rejected | OperationState::Lost if op.is_automatic() => {
            let _guard = state.store.lock(&op.checkout_id).await?;
            return Ok(if stray_voids::retry(state, &op, now).await? {
                Checked::Changed
            } else {
                Checked::Unchanged
            });
        }
        // Lost, its money held: looked up again until it turns up or its lookups are over.
        OperationState::Lost => {
            let _guard = state.store.lock(&op.checkout_id).await?;
            look_up_operation(state, &op).await?
        }
        _ => {
            state.store.reschedule_operation(&op.id, None).await?;
            return Ok(Checked::Unchanged);
        }
    };
    Ok(match looked {
        Lookup::Found(_) => Checked::Changed,
        Lookup::Untouched => Checked::Unchanged,
        Lookup::Failed { rate_limited: true } => Checked::RateLimited,
        Lookup::Failed { .. } => Checked::Unchanged,
    })
}
