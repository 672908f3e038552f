//! Where a payment's money stands: its authorization, operations, bound refund links and bound
//! device refunds read from the store into the ledger's position. A bound refund link holds its amount until it is proven
//! unused (its status `expired`, which needs every session of it proven unused) and counts what it
//! actually paid out — every payout, so a link paid twice shows as such.

use crate::model::{CheckoutStatus, DeviceRefundStatus, OperationState};
use crate::payments::error::PaymentsError;
use crate::payments::rules::ledger::{
    self, LinkHold, LinkedRefund, Movement, Position, RefundChannel,
};
use crate::store::{
    DeviceRefundRecord, LinkRecord, OperationOutcome, OperationRecord, TransactionRecord,
};
use crate::AppState;

impl From<&OperationRecord> for Movement {
    fn from(op: &OperationRecord) -> Self {
        Movement {
            kind: op.kind,
            state: op.state,
            amount: op.amount,
            approved_amount: op.approved_amount,
            original_transaction_id: op.original_transaction_id.clone(),
            transaction_id: op.transaction_id.clone(),
            lost_but_held: lost_but_held(op.state, op.next_check_at, op),
        }
    }
}

/// A merchant's operation the gateway has no record of yet, still being looked up (it has a next
/// look): its amount stays held. paydesk's own voids of stray authorizations are not this
/// payment's money.
fn lost_but_held(state: OperationState, next_check_at: Option<i64>, op: &OperationRecord) -> bool {
    state == OperationState::Lost && next_check_at.is_some() && !op.is_automatic()
}

/// The payment's ledger position: its authorization, operations and bound refund links.
pub async fn load_position(
    state: &AppState,
    payment: &LinkRecord,
) -> Result<Position, PaymentsError> {
    let movements: Vec<Movement> = state
        .store
        .operations_for(&payment.id)
        .await?
        .iter()
        .map(Movement::from)
        .collect();
    position_with(state, payment, &movements).await
}

/// The payment's status (what happened to its money) once `op` settles with `outcome`.
pub async fn projected_status(
    state: &AppState,
    payment: &LinkRecord,
    op: &OperationRecord,
    outcome: &OperationOutcome,
) -> Result<CheckoutStatus, PaymentsError> {
    let movements: Vec<Movement> = state
        .store
        .operations_for(&payment.id)
        .await?
        .iter()
        .map(|o| {
            let mut movement = Movement::from(o);
            if o.id == op.id {
                movement.state = outcome.state;
                movement.approved_amount = outcome.approved_amount;
                movement.transaction_id = outcome.transaction_id.clone();
                movement.lost_but_held = lost_but_held(outcome.state, outcome.next_check_at, o);
            }
            movement
        })
        .collect();
    Ok(ledger::money_status(
        &position_with(state, payment, &movements).await?,
    ))
}

async fn position_with(
    state: &AppState,
    payment: &LinkRecord,
    movements: &[Movement],
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
    let mut links = Vec::new();
    for link in state.store.refund_links_of(&payment.id).await? {
        let paid_out = paid_out(&state.store.transactions_for(&link.id).await?);
        links.push(LinkedRefund {
            amount: link.amount,
            hold: link_hold(&link, paid_out),
            channel: RefundChannel::Link,
        });
    }
    for refund in state.store.device_refunds_of(&payment.id).await? {
        links.push(LinkedRefund {
            amount: refund.amount,
            hold: device_hold(&refund),
            channel: RefundChannel::Device,
        });
    }
    Ok(ledger::position(
        authorization
            .as_ref()
            .map(|(id, amount)| (id.as_str(), *amount)),
        movements,
        &links,
    ))
}

/// What a refund link paid out: the sum of its approved refund transactions (more than its amount
/// when it paid out twice).
pub fn paid_out(transactions: &[TransactionRecord]) -> i64 {
    transactions
        .iter()
        .filter(|t| t.status == "Completed")
        .filter_map(|t| t.approved_amount.filter(|a| *a > 0))
        .sum()
}

/// What a refund link holds: its payouts once it paid; nothing once proven unused (`expired`,
/// `canceled`); else its whole amount, for as long as a session of it could still be used.
fn link_hold(link: &LinkRecord, paid_out: i64) -> LinkHold {
    if paid_out > 0 {
        LinkHold::PaidOut(paid_out)
    } else if link.status == CheckoutStatus::Authorized {
        LinkHold::PaidOut(link.amount)
    } else if matches!(
        link.status,
        CheckoutStatus::Expired | CheckoutStatus::Canceled
    ) {
        LinkHold::Released
    } else {
        LinkHold::Reserved
    }
}

/// What a device refund bound to the payment holds: what it paid once completed; nothing once
/// Payroc said it did not happen (declined, failed, canceled); else its whole amount.
fn device_hold(refund: &DeviceRefundRecord) -> LinkHold {
    match refund.status {
        DeviceRefundStatus::Completed => {
            LinkHold::PaidOut(refund.approved_amount.unwrap_or(refund.amount))
        }
        DeviceRefundStatus::Declined
        | DeviceRefundStatus::Failed
        | DeviceRefundStatus::Canceled
        // Reversed: taken out of Payroc's batch before it settled, no money went to the card.
        | DeviceRefundStatus::Reversed => LinkHold::Released,
        DeviceRefundStatus::Sending
        | DeviceRefundStatus::WaitingForCard
        | DeviceRefundStatus::Unknown => LinkHold::Reserved,
    }
}
