//! The merchant's cancel of a link — a refund link sent to the wrong person, a checkout whose cart
//! changed: from that moment no new card form opens for it, and it ends `canceled` — paying or
//! taking nothing, holding nothing — as soon as every form it opened is proven unused. Money
//! already moved, or a form the customer may still finish, is said plainly, never hidden: a card
//! typed into a form already open is still taken (the merchant voids it), never lost.

use crate::model::{AttemptState, CheckoutStatus, LinkKind};
use crate::payments::actor::Actor;
use crate::payments::error::PaymentsError;
use crate::payments::links::checkout::{get_checkout, CheckoutResource};
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
    cancel_link(state, id, LinkKind::Refund, actor).await?;
    get_refund_link(state, id).await
}

/// Cancels the checkout `id` (a cart that changed, an order withdrawn): the canceled checkout, or
/// why it could not be (paid already, expired, or its card form still open — then no new one
/// opens, and it ends by itself, `payment.canceled`, once that form is proven unused).
#[tracing::instrument(skip(state, actor))]
pub async fn cancel_checkout(
    state: &AppState,
    id: &str,
    actor: &Actor,
) -> Result<CheckoutResource, PaymentsError> {
    cancel_link(state, id, LinkKind::Payment, actor).await?;
    get_checkout(state, id).await
}

/// Stops the link taking new forms, settles those it opened, and ends it when none may still be
/// used; otherwise says until when one may.
async fn cancel_link(
    state: &AppState,
    id: &str,
    kind: LinkKind,
    actor: &Actor,
) -> Result<(), PaymentsError> {
    let ended = {
        let _guard = state.store.lock(id).await?;
        let link = link_of(state, id, kind).await?;
        refuse_if_over(&link)?;
        if link.canceled_at.is_none() {
            let action = match kind {
                LinkKind::Refund => "refund_link.cancel",
                LinkKind::Payment => "checkout.cancel",
            };
            let audit = actor.audit(action, id, serde_json::json!({}));
            if state
                .store
                .request_link_cancel(id, &audit, now_ms())
                .await?
            {
                tracing::info!(link = %id, "link canceled: no new card form opens");
            }
        }
        settle_forms(state, id).await?;
        let link = link_of(state, id, kind).await?;
        refuse_if_over(&link)?;
        expire_if_due(state, &link).await?;
        open_until(state, id, kind).await?
    };
    match ended {
        None => Ok(()),
        Some(until) => Err(form_open(kind, until)),
    }
}

/// Why the cancel is not over yet: a form of the link may still be finished.
fn form_open(kind: LinkKind, until: Option<i64>) -> PaymentsError {
    let until = until
        .map(|at| format!(" until {}", iso8601(at)))
        .unwrap_or_default();
    match kind {
        LinkKind::Refund => refused(
            "payout_form_open",
            format!(
                "A card form of this refund link is open{until}: the customer can still finish it. No new \
                 form opens from now on, and the link becomes canceled by itself (refund_link.canceled \
                 is sent) once that form is proven unused."
            ),
        ),
        LinkKind::Payment => refused(
            "payment_form_open",
            format!(
                "The card form of this checkout is open{until}: a card may already have been sent, so \
                 the customer can still pay. No new form opens from now on, and the checkout becomes \
                 canceled by itself (payment.canceled is sent) once that form is proven unused; if \
                 the customer pays meanwhile, payment.authorized is sent and you void it."
            ),
        ),
    }
}

async fn link_of(state: &AppState, id: &str, kind: LinkKind) -> Result<LinkRecord, PaymentsError> {
    match state.store.link(id).await? {
        Some(link) if link.kind == kind => Ok(link),
        _ => Err(PaymentsError::NotFound),
    }
}

/// A link that moved money or expired cannot be canceled (a canceled one is canceled again: the
/// same answer).
fn refuse_if_over(link: &LinkRecord) -> Result<(), PaymentsError> {
    let paid =
        link.authorized_transaction_id.is_some() || link.status == CheckoutStatus::Authorized;
    let message = match (link.kind, paid, link.status) {
        (LinkKind::Refund, true, _) => {
            "The refund link has already paid out: there is nothing left to cancel."
        }
        (LinkKind::Payment, true, _) => {
            "The checkout has already been paid: void or refund the payment instead."
        }
        (LinkKind::Refund, false, CheckoutStatus::Expired) => {
            "The refund link has already expired: it can pay nothing."
        }
        (LinkKind::Payment, false, CheckoutStatus::Expired) => {
            "The checkout has already expired: it can take nothing."
        }
        _ => return Ok(()),
    };
    Err(refused("cannot_cancel", message.into()))
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
async fn open_until(
    state: &AppState,
    id: &str,
    kind: LinkKind,
) -> Result<Option<Option<i64>>, PaymentsError> {
    let link = link_of(state, id, kind).await?;
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
