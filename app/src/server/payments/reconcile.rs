//! Applies what the gateway says (webhooks and lookups) to attempts and checkouts: idempotent, safe to
//! receive late, twice or out of order.

use serde_json::Value;

use super::error::PaymentsError;
use super::operations::{self, apply_operation_transaction};
use super::status;
use crate::model::{CheckoutStatus, LinkKind};
use crate::server::gateway::wire::{Transaction, WebhookEnvelope};
use crate::server::merchant_events;
use crate::server::store::{now_ms, AttemptOutcome, AttemptRecord, AttemptState, TransactionRecord, WebhookEventRecord};
use crate::server::AppState;

/// What applying a message did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// State changed for this checkout.
    Updated { checkout_id: String },
    /// Known already, or nothing to change.
    NoChange,
    /// Not about any attempt of ours.
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

/// Applies a gateway transaction to the attempt whose reference id it carries.
pub async fn apply_transaction(state: &AppState, transaction: &Transaction) -> Result<Applied, PaymentsError> {
    let Some(reference) = transaction.reference_id.as_deref() else {
        return Ok(Applied::Unmatched);
    };
    let Some(attempt) = state.store.attempt_by_reference(reference).await? else {
        return Ok(Applied::Unmatched);
    };
    let _guard = state.locks.lock(&attempt.checkout_id).await;
    // Re-read under the lock: another message may have just changed it.
    let attempt = state.store.attempt(&attempt.id).await?.ok_or(PaymentsError::NotFound)?;
    apply_locked(state, &attempt, transaction).await
}

/// As [`apply_transaction`], for a caller that already holds the checkout's lock.
pub(super) async fn apply_locked(
    state: &AppState,
    attempt: &AttemptRecord,
    transaction: &Transaction,
) -> Result<Applied, PaymentsError> {
    let now = now_ms();
    let record = transaction_record(transaction, &attempt.checkout_id, Some(&attempt.id), now);
    let current = attempt.attempt_state();
    let reported = status::attempt_state_for(transaction);

    if reported == AttemptState::Open || current.is_final() {
        // Nothing happened yet, or the outcome is already final (a replay or a late duplicate).
        state.store.upsert_transaction(&record).await?;
        if current.is_final() && attempt.transaction_id.as_deref() != Some(transaction.id.as_str()) {
            tracing::warn!(attempt = %attempt.id, transaction = %transaction.id, "a second transaction reported for a settled attempt");
        }
        return Ok(Applied::NoChange);
    }

    let checkout = state
        .store
        .checkout(&attempt.checkout_id)
        .await?
        .ok_or(PaymentsError::NotFound)?;
    let attempts: Vec<AttemptState> = state
        .store
        .attempts_for(&checkout.id)
        .await?
        .iter()
        .map(|a| if a.id == attempt.id { reported } else { a.attempt_state() })
        .collect();
    let new_status = status::checkout_status(&attempts, now >= checkout.expires_at);

    if reported == AttemptState::Submitted {
        state.store.upsert_transaction(&record).await?;
        let changed = state.store.set_attempt_state(&attempt.id, AttemptState::Submitted, now).await?;
        state.store.set_checkout_status(&checkout.id, new_status, now).await?;
        return Ok(if changed {
            Applied::Updated { checkout_id: checkout.id }
        } else {
            Applied::NoChange
        });
    }

    let approved = reported == AttemptState::Approved;
    let duplicate = approved
        && checkout
            .authorized_transaction_id
            .as_deref()
            .is_some_and(|existing| existing != transaction.id);
    let holds_money = status::holds_money_without_paying(transaction);
    let outcome = AttemptOutcome {
        state: reported,
        transaction_id: Some(transaction.id.clone()),
        result_code: transaction.result_code,
        response_code: record.response_code,
        result_text: transaction.result_text.clone(),
    };
    let event = merchant_events::for_attempt_outcome(&checkout, attempt, reported, &transaction.id, now);
    state
        .store
        .record_attempt_outcome(
            attempt,
            &outcome,
            &record,
            new_status,
            approved.then_some(transaction.id.as_str()),
            event.as_ref(),
            now,
        )
        .await?;
    tracing::info!(
        checkout = %checkout.id, attempt = %attempt.id, transaction = %transaction.id,
        outcome = reported.as_str(), status = new_status.as_str(), "gateway outcome recorded"
    );
    if (duplicate || holds_money) && checkout.link_kind() == LinkKind::Payment {
        // Never leave a second (or a partial) authorization on the customer's card.
        let amount = transaction.approved_amount.unwrap_or_default() as i64;
        operations::queue_stray_void(state, &checkout.id, &transaction.id, amount).await?;
    }
    debug_assert!(!approved || new_status == CheckoutStatus::Authorized);
    Ok(Applied::Updated { checkout_id: checkout.id })
}

/// The stored form of a gateway transaction of a checkout (and of one of its attempts, if it came
/// from a hosted form).
pub(super) fn transaction_record(t: &Transaction, checkout_id: &str, attempt_id: Option<&str>, now: i64) -> TransactionRecord {
    let response = t.transaction_responses.first();
    let token = response.and_then(|r| r.payment_method.as_ref());
    TransactionRecord {
        id: t.id.clone(),
        checkout_id: Some(checkout_id.to_string()),
        attempt_id: attempt_id.map(str::to_string),
        kind: enum_text(&t.kind),
        status: enum_text(&t.status),
        reference_id: t.reference_id.clone(),
        result_code: t.result_code,
        response_code: t.transaction_responses.iter().find_map(|r| r.response_code),
        requested_amount: t.requested_amount.map(|a| a as i64),
        approved_amount: t.approved_amount.map(|a| a as i64),
        card_type: response
            .and_then(|r| r.card_type.clone())
            .or_else(|| token.and_then(|p| p.card_type.clone()))
            .or_else(|| t.payment_method.as_ref().and_then(|p| p.card_type.clone())),
        masked_card: token
            .and_then(|p| p.masked_card_number.clone())
            .or_else(|| t.payment_method.as_ref().and_then(|p| p.masked_card_number.clone())),
        auth_code: response.and_then(|r| r.auth_code.clone()),
        raw: serde_json::to_string(t).unwrap_or_default(),
        first_seen_at: now,
        updated_at: now,
    }
}

fn enum_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        _ => "Unknown".into(),
    }
}

/// Applies one stored webhook event. Returns a short outcome for the event log.
pub async fn apply_stored_event(state: &AppState, event: &WebhookEventRecord) -> Result<Applied, PaymentsError> {
    let envelope: WebhookEnvelope = match serde_json::from_str(&event.body) {
        Ok(envelope) => envelope,
        Err(_) => return Ok(Applied::Ignored("unreadable body")),
    };
    let kind = envelope.event.kind.as_str();
    if matches!(kind, "token.created" | "token.removed") {
        return Ok(Applied::Ignored("token events carry no payment outcome"));
    }
    if !matches!(kind, "auth.completed" | "sale.completed" | "capture.completed" | "void.completed" | "refund.completed") {
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
    if matches!(kind, "capture.completed" | "void.completed" | "refund.completed") {
        if let Some(applied) = apply_operation_transaction(state, &transaction).await? {
            return Ok(applied);
        }
    }
    apply_transaction(state, &transaction).await
}

/// Re-applies stored events whose application failed earlier (e.g. the database was busy). Returns how many
/// were applied.
pub async fn reapply_pending_events(state: &AppState) -> Result<usize, PaymentsError> {
    let mut applied = 0;
    for event in state.store.unprocessed_webhook_events(100).await? {
        match apply_stored_event(state, &event).await {
            Ok(outcome) => {
                state.store.mark_webhook_processed(&event.event_id, &outcome.label(), now_ms()).await?;
                applied += 1;
            }
            Err(error) => {
                tracing::warn!(event = %event.event_id, %error, "webhook event still not applied");
                state.store.mark_webhook_failed(&event.event_id, &error.to_string()).await?;
            }
        }
    }
    Ok(applied)
}
