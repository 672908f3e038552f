//! Applies what the gateway says — an answer, a webhook or a lookup — to attempts and operations.
//! Idempotent, and safe when messages arrive late, twice or out of order: a final outcome is never
//! replaced, and an approval anywhere wins.

use super::error::PaymentsError;
use super::status;
use super::stray_voids;
use super::transactions::{
    attempt_state_for, holds_money_without_paying, operation_outcome, transaction_record,
};
use crate::model::{AttemptState, CheckoutStatus, LinkKind, OperationState};
use crate::server::gateways::omni::wire::{Transaction, WebhookEnvelope};
use crate::server::merchant_events;
use crate::server::store::{
    now_ms, AttemptOutcome, AttemptRecord, LinkRecord, OperationOutcome, OperationRecord,
    WebhookEventRecord,
};
use crate::server::AppState;

/// An operation unsettled for this long, which the gateway still does not know, never happened.
const LOST_AFTER_MS: i64 = 10 * 60 * 1000;
/// A `pending` row older than this belongs to a call that died with its process: treat it as
/// unknown.
const STALE_PENDING_MS: i64 = 2 * 60 * 1000;

/// What applying a message did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// State changed for this link.
    Updated { checkout_id: String },
    /// Known already, or nothing to change.
    NoChange,
    /// Not about any attempt or operation of ours.
    Unmatched,
    /// A kind of message paydesk records but does not act on.
    Ignored(&'static str),
}

impl Applied {
    pub fn label(&self) -> String {
        match self {
            Applied::Updated { checkout_id } => format!("applied to {checkout_id}"),
            Applied::NoChange => "no change".into(),
            Applied::Unmatched => "unmatched".into(),
            Applied::Ignored(why) => format!("ignored: {why}"),
        }
    }
}

/// Applies one stored gateway webhook event.
pub async fn apply_gateway_event(
    state: &AppState,
    event: &WebhookEventRecord,
) -> Result<Applied, PaymentsError> {
    let envelope: WebhookEnvelope = match serde_json::from_str(&event.body) {
        Ok(envelope) => envelope,
        Err(_) => return Ok(Applied::Ignored("unreadable body")),
    };
    let kind = envelope.event.kind.as_str();
    if matches!(kind, "token.created" | "token.removed") {
        return Ok(Applied::Ignored("token events carry no payment outcome"));
    }
    if !matches!(
        kind,
        "auth.completed"
            | "sale.completed"
            | "capture.completed"
            | "void.completed"
            | "refund.completed"
    ) {
        return Ok(Applied::Ignored("unknown event type"));
    }
    let Some(original) = envelope.original_response else {
        return Ok(Applied::Ignored("no originalResponse"));
    };
    let Ok(transaction) = serde_json::from_value::<Transaction>(original) else {
        return Ok(Applied::Ignored("unreadable originalResponse"));
    };
    // A capture, void or referenced refund paydesk sent; else (auth, sale, unreferenced refund) a
    // hosted-form attempt.
    if matches!(
        kind,
        "capture.completed" | "void.completed" | "refund.completed"
    ) {
        if let Some(applied) = apply_operation_transaction(state, &transaction).await? {
            return Ok(applied);
        }
    }
    apply_attempt_transaction(state, &transaction).await
}

/// Applies a gateway transaction to the hosted-form attempt whose reference id it carries.
pub async fn apply_attempt_transaction(
    state: &AppState,
    transaction: &Transaction,
) -> Result<Applied, PaymentsError> {
    let Some(reference) = transaction.reference_id.as_deref() else {
        return Ok(Applied::Unmatched);
    };
    let Some(attempt) = state.store.attempt_by_reference(reference).await? else {
        return Ok(Applied::Unmatched);
    };
    let _guard = state.locks.lock(&attempt.checkout_id).await;
    // Re-read under the lock: another message may have just changed it.
    let attempt = state
        .store
        .attempt(&attempt.id)
        .await?
        .ok_or(PaymentsError::NotFound)?;
    apply_to_attempt(state, &attempt, transaction).await
}

/// As [`apply_attempt_transaction`], for a caller that already holds the link's lock.
pub(super) async fn apply_to_attempt(
    state: &AppState,
    attempt: &AttemptRecord,
    transaction: &Transaction,
) -> Result<Applied, PaymentsError> {
    let now = now_ms();
    let record = transaction_record(transaction, &attempt.checkout_id, Some(&attempt.id), now);
    let current = attempt.state;
    let reported = attempt_state_for(transaction);

    if reported == AttemptState::Open || current.is_final() {
        // Nothing happened yet, or the outcome is already final (a replay or a late duplicate).
        state.store.upsert_transaction(&record).await?;
        if current.is_final() && attempt.transaction_id.as_deref() != Some(transaction.id.as_str())
        {
            tracing::warn!(attempt = %attempt.id, transaction = %transaction.id, "a second transaction reported for a settled attempt");
        }
        return Ok(Applied::NoChange);
    }

    let link = state
        .store
        .link(&attempt.checkout_id)
        .await?
        .ok_or(PaymentsError::NotFound)?;
    let attempts: Vec<AttemptState> = state
        .store
        .attempts_for(&link.id)
        .await?
        .iter()
        .map(|a| {
            if a.id == attempt.id {
                reported
            } else {
                a.state
            }
        })
        .collect();
    let new_status = status::checkout_status(&attempts, now >= link.expires_at);

    if reported == AttemptState::Submitted {
        state.store.upsert_transaction(&record).await?;
        let changed = state
            .store
            .set_attempt_state(&attempt.id, AttemptState::Submitted, now)
            .await?;
        state
            .store
            .set_link_status(&link.id, new_status, now)
            .await?;
        return Ok(if changed {
            Applied::Updated {
                checkout_id: link.id,
            }
        } else {
            Applied::NoChange
        });
    }

    let approved = reported == AttemptState::Approved;
    let duplicate = approved
        && link
            .authorized_transaction_id
            .as_deref()
            .is_some_and(|existing| existing != transaction.id);
    let holds_money = holds_money_without_paying(transaction);
    let outcome = AttemptOutcome {
        state: reported,
        transaction_id: Some(transaction.id.clone()),
        result_code: transaction.result_code,
        response_code: record.response_code,
        result_text: transaction.result_text.clone(),
        link_status: new_status,
        authorizes_link: approved,
    };
    let event =
        merchant_events::for_attempt_outcome(&link, attempt, reported, &transaction.id, now);
    state
        .store
        .record_attempt_outcome(attempt, &outcome, &record, event.as_ref(), now)
        .await?;
    tracing::info!(
        checkout = %link.id, attempt = %attempt.id, transaction = %transaction.id,
        outcome = reported.as_str(), status = new_status.as_str(), "gateway outcome recorded"
    );
    if (duplicate || holds_money) && link.kind == LinkKind::Payment {
        // Never leave a second (or a partial) authorization on the customer's card.
        let amount = transaction.approved_amount.unwrap_or_default() as i64;
        stray_voids::queue(state, &link.id, &transaction.id, amount).await?;
    }
    debug_assert!(!approved || new_status == CheckoutStatus::Authorized);
    Ok(Applied::Updated {
        checkout_id: link.id,
    })
}

/// Applies a `capture.completed`, `void.completed` or `refund.completed` transaction to the
/// operation whose reference id it carries; `None` when no operation has it.
pub async fn apply_operation_transaction(
    state: &AppState,
    transaction: &Transaction,
) -> Result<Option<Applied>, PaymentsError> {
    let Some(reference) = transaction.reference_id.as_deref() else {
        return Ok(None);
    };
    let Some(op) = state.store.operation_by_reference(reference).await? else {
        return Ok(None);
    };
    let _guard = state.locks.lock(&op.checkout_id).await;
    let op = state
        .store
        .operation(&op.id)
        .await?
        .ok_or(PaymentsError::NotFound)?;
    let changed = apply_to_operation(state, &op, transaction).await?;
    Ok(Some(if changed {
        Applied::Updated {
            checkout_id: op.checkout_id.clone(),
        }
    } else {
        Applied::NoChange
    }))
}

/// Records a transaction for an operation (an answer, a webhook or a lookup). Idempotent: a settled
/// operation never changes again. Returns whether it settled now.
pub(super) async fn apply_to_operation(
    state: &AppState,
    op: &OperationRecord,
    transaction: &Transaction,
) -> Result<bool, PaymentsError> {
    let now = now_ms();
    let record = transaction_record(transaction, &op.checkout_id, None, now);
    let Some(outcome) = operation_outcome(transaction) else {
        state.store.upsert_transaction(&record).await?;
        return Ok(false);
    };
    let event = match state.store.link(&op.checkout_id).await? {
        Some(payment) => merchant_events::for_operation(
            &payment,
            op,
            outcome.state,
            outcome.transaction_id.as_deref(),
            outcome.approved_amount,
            now,
        ),
        None => None,
    };
    let changed = state
        .store
        .settle_operation(&op.id, &outcome, Some(&record), event.as_ref(), now)
        .await?;
    if changed {
        tracing::info!(operation = %op.id, checkout = %op.checkout_id, kind = %op.kind, outcome = outcome.state.as_str(), "operation settled");
    }
    Ok(changed)
}

/// Looks an operation up at the gateway by its reference id and applies what it finds; an operation
/// the gateway still does not know long after it was sent is `lost`.
pub(super) async fn lookup_operation(
    state: &AppState,
    op: &OperationRecord,
) -> Result<(), PaymentsError> {
    match state.omni.find_by_reference(&op.gateway_reference_id).await {
        Ok(Some(transaction)) => {
            apply_to_operation(state, op, &transaction).await?;
        }
        Ok(None)
            if now_ms() - op.created_at > LOST_AFTER_MS && op.state == OperationState::Unknown =>
        {
            let outcome = OperationOutcome {
                state: OperationState::Lost,
                transaction_id: None,
                approved_amount: Some(0),
                response_code: None,
                message: Some(
                    "The gateway has no record of this operation; it did not happen.".into(),
                ),
            };
            state
                .store
                .settle_operation(&op.id, &outcome, None, None, now_ms())
                .await?;
        }
        Ok(None) => {}
        Err(error) => {
            tracing::warn!(operation = %op.id, %error, "lookup failed; the operation stays unknown")
        }
    }
    Ok(())
}

/// Settles a payment's open operations by lookup: `unknown` ones, and `pending` ones whose call
/// died with its process. Caller holds the payment's lock.
pub(super) async fn settle_open_operations(
    state: &AppState,
    payment: &LinkRecord,
) -> Result<(), PaymentsError> {
    let now = now_ms();
    for op in state.store.operations_for(&payment.id).await? {
        match op.state {
            OperationState::Unknown => lookup_operation(state, &op).await?,
            OperationState::Pending if now - op.updated_at > STALE_PENDING_MS => {
                state
                    .store
                    .mark_operation_unknown(
                        &op.id,
                        "paydesk stopped during the call; confirming.",
                        now,
                    )
                    .await?;
                if let Some(op) = state.store.operation(&op.id).await? {
                    lookup_operation(state, &op).await?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Background: settles every unknown operation it can (lookups by reference id). Returns how many
/// settled.
pub async fn settle_unknown_operations(state: &AppState) -> Result<usize, PaymentsError> {
    let mut settled = 0;
    for op in state.store.unsettled_operations(100).await? {
        let _guard = state.locks.lock(&op.checkout_id).await;
        let Some(payment) = state.store.link(&op.checkout_id).await? else {
            continue;
        };
        settle_open_operations(state, &payment).await?;
        if state
            .store
            .operation(&op.id)
            .await?
            .is_some_and(|o| !o.state.is_open())
        {
            settled += 1;
        }
    }
    Ok(settled)
}
