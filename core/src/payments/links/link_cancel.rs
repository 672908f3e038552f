//! The merchant's cancel of a refund link (sent to the wrong person, say): from that moment no new
//! card form opens for it, and it ends `canceled` — paying nothing, holding nothing — as soon as
//! every form it opened is proven unused. A payout already made, or a form the customer may still
//! finish, is said plainly, never hidden.

use crate::model::{AttemptState, CheckoutStatus, LinkKind};
use crate::payments::actor::Actor;
use crate::payments::error::PaymentsError;
use crate::payments::links::link_expiry::{expire_if_due, prove_unused};
use crate::payments::links::refund_link::{get_refund_link, RefundLinkResource};
use crate::payments::rules::ledger::Refusal;
use crate::payments::rules::schedule::proof_time;
use crate::payments::rules::status::may_still_be_used;
use crate::payments::steps::apply::{look_up_attempt, Lookup};
use crate::store::{iso8601, now_ms, LinkRecord};
use crate::AppState;

/// Cancels the refund link `id`: the canceled link, or why it could not be (paid out already,
/// expired, or a form of it still open — then no new one opens, and it ends by itself once that
/// form is proven unused).
#[tracing::instrument(skip(state, actor))]
pub async fn cancel_refund_link(
    state: &AppState,
    id: &str,
    actor: &Actor,
) -> Result<RefundLinkResource, PaymentsError> {
    let ended = {
        let _guard = state.store.lock(id).await?;
        let link = refund_link(state, id).await?;
        refuse_if_over(&link)?;
        if link.canceled_at.is_none() {
            let audit = actor.audit("refund_link.cancel", id, serde_json::json!({}));
            if state
                .store
                .request_link_cancel(id, &audit, now_ms())
                .await?
            {
                tracing::info!(link = %id, "refund link canceled: no new card form opens");
            }
        }
        settle_forms(state, id).await?;
        let link = refund_link(state, id).await?;
        refuse_if_over(&link)?;
        expire_if_due(state, &link).await?;
        open_until(state, id).await?
    };
    match ended {
        None => get_refund_link(state, id).await,
        Some(until) => Err(refused(
            "payout_form_open",
            format!(
                "A card form of this refund link is open{}: the customer can still finish it. No new \
                 form opens from now on, and the link becomes canceled by itself (refund_link.canceled \
                 is sent) once that form is proven unused.",
                until
                    .map(|at| format!(" until {}", iso8601(at)))
                    .unwrap_or_default()
            ),
        )),
    }
}

async fn refund_link(state: &AppState, id: &str) -> Result<LinkRecord, PaymentsError> {
    match state.store.link(id).await? {
        Some(link) if link.kind == LinkKind::Refund => Ok(link),
        _ => Err(PaymentsError::NotFound),
    }
}

/// A link that paid out or expired cannot be canceled (a canceled one is canceled again: the same
/// answer).
fn refuse_if_over(link: &LinkRecord) -> Result<(), PaymentsError> {
    if link.authorized_transaction_id.is_some() || link.status == CheckoutStatus::Authorized {
        return Err(refused(
            "cannot_cancel",
            "The refund link has already paid out: there is nothing left to cancel.".into(),
        ));
    }
    if link.status == CheckoutStatus::Expired {
        return Err(refused(
            "cannot_cancel",
            "The refund link has already expired: it can pay nothing.".into(),
        ));
    }
    Ok(())
}

/// Asks the gateway about every form of the link that may still be used, and proves unused those
/// past their expiry that were not.
async fn settle_forms(state: &AppState, id: &str) -> Result<(), PaymentsError> {
    for attempt in state.store.attempts_for(id).await? {
        if !matches!(
            attempt.state,
            AttemptState::Open | AttemptState::Replaced | AttemptState::Submitted
        ) {
            continue;
        }
        if look_up_attempt(state, &attempt).await? == Lookup::Untouched {
            prove_unused(state, &attempt, now_ms()).await?;
        }
    }
    Ok(())
}

/// `None` once the link has ended; otherwise until when its last open form may still be used
/// (`Some(None)`: not known).
async fn open_until(state: &AppState, id: &str) -> Result<Option<Option<i64>>, PaymentsError> {
    let link = refund_link(state, id).await?;
    refuse_if_over(&link)?;
    if link.status == CheckoutStatus::Canceled {
        return Ok(None);
    }
    Ok(Some(
        state
            .store
            .attempts_for(id)
            .await?
            .iter()
            .filter(|a| may_still_be_used(a.state))
            .filter_map(|a| proof_time(a.expires_at))
            .max(),
    ))
}

fn refused(code: &'static str, message: String) -> PaymentsError {
    PaymentsError::Refused(Refusal { code, message })
}
