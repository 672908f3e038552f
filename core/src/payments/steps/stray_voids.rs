//! Voids paydesk sends on its own for an authorization a link does not keep (a second approval, a
//! partial one, an approval after a decline), so the customer's card is not left holding that money.
//! The void is written in the same commit as the outcome that requires it; a try the gateway refused
//! or never recorded is followed by another, with backoff, until one succeeds.

use crate::model::{OperationInitiator, OperationKind, OperationState};
use crate::payments::error::PaymentsError;
use crate::payments::ids::new_id;
use crate::payments::rules::schedule::void_retry;
use crate::store::{OperationInsert, OperationRecord, AUTOMATIC_VOID_MESSAGE};
use crate::AppState;

const KEY_PREFIX: &str = "automatic-void:";

/// The void of `transaction_id` (of link `checkout_id`), try number `try_number` (from 0), queued
/// to be sent now. Its idempotency key names the transaction and the try, so no try is queued twice.
pub fn automatic_void(
    checkout_id: &str,
    transaction_id: &str,
    amount: i64,
    try_number: i64,
    now: i64,
) -> OperationRecord {
    let id = new_id("op");
    OperationRecord {
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
        idempotency_key: Some(format!("{KEY_PREFIX}{transaction_id}:{try_number}")),
        created_at: now,
        updated_at: now,
        initiator: OperationInitiator::Paydesk,
        next_check_at: Some(now),
        checks: 0,
    }
}

/// Which try of its void an automatic void is (0 for the first).
fn try_number(op: &OperationRecord) -> i64 {
    op.idempotency_key
        .as_deref()
        .and_then(|key| key.rsplit(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// When an automatic void that ended `state` is tried again: a refused or lost try is followed by
/// another; anything else is settled.
pub fn retry_time(op: &OperationRecord, state: OperationState, now: i64) -> Option<i64> {
    (op.is_automatic() && matches!(state, OperationState::Rejected | OperationState::Lost))
        .then(|| void_retry(now, try_number(op)))
}

/// Tries again an automatic void that was refused or lost, unless another void of the same
/// transaction succeeded or is under way. Returns whether a new try was queued.
pub async fn retry(
    state: &AppState,
    op: &OperationRecord,
    now: i64,
) -> Result<bool, PaymentsError> {
    let voids_of_it: Vec<OperationRecord> = state
        .store
        .operations_for(&op.checkout_id)
        .await?
        .into_iter()
        .filter(|o| {
            o.kind == OperationKind::Void && o.original_transaction_id == op.original_transaction_id
        })
        .collect();
    let settled = voids_of_it
        .iter()
        .any(|o| o.state == OperationState::Succeeded || o.state.is_open());
    let queued = if settled {
        false
    } else {
        let next = automatic_void(
            &op.checkout_id,
            &op.original_transaction_id,
            op.amount,
            try_number(op) + 1,
            now,
        );
        let inserted = matches!(
            state.store.insert_operation(&next, None, None).await?,
            OperationInsert::Created(_)
        );
        if inserted {
            tracing::warn!(operation = %next.id, transaction = %op.original_transaction_id, "automatic void tried again");
            state.work.nudge();
        }
        inserted
    };
    state.store.reschedule_operation(&op.id, None).await?;
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tries_are_numbered_and_only_failed_automatic_voids_are_retried() {
        let first = automatic_void("chk_1", "trx_2", 500, 0, 1_000);
        assert_eq!(
            first.idempotency_key.as_deref(),
            Some("automatic-void:trx_2:0")
        );
        assert_eq!(try_number(&automatic_void("chk_1", "trx_2", 500, 3, 0)), 3);
        assert_eq!(
            retry_time(&first, OperationState::Rejected, 0),
            Some(30_000)
        );
        assert_eq!(retry_time(&first, OperationState::Succeeded, 0), None);
        let merchant = OperationRecord {
            initiator: OperationInitiator::Merchant,
            ..first
        };
        assert_eq!(retry_time(&merchant, OperationState::Lost, 0), None);
    }
}
