//! Where a payment's money stands: its authorization, operations and bound refund links read from
//! the store into the ledger's position, and whether each bound refund link still holds its amount.

use super::error::PaymentsError;
use super::ledger::{self, LinkHold, LinkedRefund, Movement, Position};
use crate::model::{AttemptState, CheckoutStatus};
use crate::server::store::{LinkRecord, OperationRecord};
use crate::server::AppState;

/// A hosted-form session counts as usable until this long past the gateway's expiry (clock skew),
/// so two sessions of one link are never usable at the same time and a hold is never released
/// early.
pub const EXPIRY_GRACE_MS: i64 = 3_000;

impl From<&OperationRecord> for Movement {
    fn from(op: &OperationRecord) -> Self {
        Movement {
            kind: op.kind,
            state: op.state,
            amount: op.amount,
            approved_amount: op.approved_amount,
            original_transaction_id: op.original_transaction_id.clone(),
            transaction_id: op.transaction_id.clone(),
        }
    }
}

/// The payment's ledger position: its authorization, operations and bound refund links.
pub async fn load_position(
    state: &AppState,
    payment: &LinkRecord,
) -> Result<Position, PaymentsError> {
    let authorization = match &payment.authorized_transaction_id {
        Some(id) => {
            let approved = state
                .store
                .transaction(id)
                .await?
                .and_then(|t| t.approved_amount)
                .unwrap_or(payment.amount);
            Some((id.clone(), approved))
        }
        None => None,
    };
    let movements: Vec<Movement> = state
        .store
        .operations_for(&payment.id)
        .await?
        .iter()
        .map(Movement::from)
        .collect();
    let mut links = Vec::new();
    for link in state.store.refund_links_of(&payment.id).await? {
        links.push(LinkedRefund {
            amount: link.amount,
            hold: link_hold(state, &link).await?,
        });
    }
    Ok(ledger::position(
        authorization
            .as_ref()
            .map(|(id, amount)| (id.as_str(), *amount)),
        &movements,
        &links,
    ))
}

/// Whether a refund link still holds its amount: until it expires *and* no session of it can still
/// be used (a session opened just before the link's expiry lives on until its own).
async fn link_hold(state: &AppState, link: &LinkRecord) -> Result<LinkHold, PaymentsError> {
    if link.status == CheckoutStatus::Authorized {
        return Ok(LinkHold::PaidOut);
    }
    let now = crate::server::store::now_ms();
    if now < link.expires_at {
        return Ok(LinkHold::Reserved);
    }
    let live = state
        .store
        .attempts_for(&link.id)
        .await?
        .iter()
        .any(|a| match a.state {
            AttemptState::Submitted | AttemptState::Creating => true,
            AttemptState::Open => a.expires_at.is_none_or(|at| now < at + EXPIRY_GRACE_MS),
            _ => false,
        });
    Ok(if live {
        LinkHold::Reserved
    } else {
        LinkHold::Released
    })
}
