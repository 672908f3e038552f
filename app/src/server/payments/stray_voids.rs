//! Voids paydesk sends on its own for an authorization a checkout does not keep (a second approval,
//! or a partial one that does not pay it), so the customer's card is not left holding that money.
//! Queued here as a durable row; sent once by `operate::dispatch_queued_operations`, woken at once.

use super::error::PaymentsError;
use super::ids::new_id;
use crate::model::{OperationInitiator, OperationKind, OperationState};
use crate::server::store::{now_ms, OperationRecord, AUTOMATIC_VOID_MESSAGE};
use crate::server::AppState;

/// Queues a void of `transaction_id` (at most one per transaction) and wakes the dispatcher.
pub async fn queue(
    state: &AppState,
    checkout_id: &str,
    transaction_id: &str,
    amount: i64,
) -> Result<(), PaymentsError> {
    let operations = state.store.operations_for(checkout_id).await?;
    if operations
        .iter()
        .any(|op| op.original_transaction_id == transaction_id && op.kind == OperationKind::Void)
    {
        return Ok(());
    }
    let now = now_ms();
    let id = new_id("op");
    let record = OperationRecord {
        gateway_reference_id: id.clone(),
        id,
        checkout_id: checkout_id.to_string(),
        kind: OperationKind::Void,
        original_transaction_id: transaction_id.to_string(),
        amount: amount.max(1),
        state: OperationState::Queued,
        transaction_id: None,
        approved_amount: None,
        response_code: None,
        message: Some(AUTOMATIC_VOID_MESSAGE.into()),
        idempotency_key: None,
        created_at: now,
        updated_at: now,
        initiator: OperationInitiator::Paydesk,
    };
    state.store.insert_operation(&record).await?;
    tracing::warn!(
        checkout = checkout_id,
        transaction = transaction_id,
        "queued a void of an authorization the checkout does not keep"
    );
    state.work.nudge();
    Ok(())
}
