//! Applies what the gateway says — an answer, a webhook or a lookup — to attempts and operations.
//! Idempotent, and safe when messages arrive late, twice or out of order: an approval anywhere wins;
//! a final outcome is replaced only by proof that money moved; every approval a link does not keep
//! is voided (a payment) or reported (a refund paid out twice); a `lost` or `rejected` operation is
//! revived by proof that it happened.

use crate::gateways::omni::wire::{Transaction, WebhookEnvelope};
use crate::merchant_events;
use crate::model::{AttemptState, CheckoutStatus, LinkKind, OperationState};
use crate::payments::error::PaymentsError;
use crate::payments::links::link_expiry::{ended_as, time_is_up};
use crate::payments::rules::schedule::{
    after_failed_lookup, lost_operation_check, submitted_check, unknown_operation_check,
    LOST_LOOKUPS_FOR_MS,
};
use crate::payments::rules::status;
use crate::payments::rules::transactions::{
    attempt_state_for, holds_money_without_paying, operation_outcome, transaction_record,
};
use crate::payments::steps::position::projected_status;
use crate::payments::steps::stray_voids::{automatic_void, retry_time};
use crate::store::{
    now_ms, AttemptOutcome, AttemptRecord, LinkRecord, OperationOutcome, OperationRecord,
    OutcomeEffects, TransactionRecord, WebhookEventRecord,
};
use crate::AppState;

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

/// What a lookup at the gateway found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The gateway has a result (or says it is in progress), now applied.
    Found(AttemptState),
    /// Nothing happened yet: no transaction, or one not yet processed.
    Untouched,
    /// The gateway could not be asked: nothing is known.
    Failed { rate_limited: bool },
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
    let _guard = state.store.lock(&attempt.checkout_id).await?;
    // Re-read under the lock: another message may have just changed it.
    let attempt = state
        .store
        .attempt(&attempt.id)
        .await?
        .ok_or(PaymentsError::NotFound)?;
    apply_to_attempt(state, &attempt, transaction).await
}

/// Looks an attempt up at the gateway by its reference id and applies what it finds. Caller holds
/// the link's lock.
pub(in crate::payments) async fn look_up_attempt(
    state: &AppState,
    attempt: &AttemptRecord,
) -> Result<Lookup, PaymentsError> {
    match state
        .omni
        .find_by_reference(&attempt.gateway_reference_id)
        .await
    {
        Ok(Some(transaction)) => {
            apply_to_attempt(state, attempt, &transaction).await?;
            let kind = link_kind(state, attempt).await?;
            Ok(match attempt_state_for(&transaction, kind) {
                AttemptState::Open => Lookup::Untouched,
                outcome => Lookup::Found(outcome),
            })
        }
        Ok(None) => Ok(Lookup::Untouched),
        Err(error) => {
            tracing::warn!(attempt = %attempt.id, %error, "gateway lookup failed; outcome unknown for now");
            Ok(Lookup::Failed {
                rate_limited: error.is_rate_limited(),
            })
        }
    }
}

/// A card submitted, no answer yet: the attempt is `submitted` (looked up soon), the link says so.
async fn record_submitted(
    state: &AppState,
    attempt: &AttemptRecord,
    link: LinkRecord,
    record: &TransactionRecord,
    new_status: CheckoutStatus,
    now: i64,
) -> Result<Applied, PaymentsError> {
    state.store.upsert_transaction(record).await?;
    let changed = state
        .store
        .set_attempt_state(
            &attempt.id,
            AttemptState::Submitted,
            now,
            Some(submitted_check(now, 0)),
        )
        .await?;
    state
        .store
        .set_link_status(&link.id, new_status, now)
        .await?;
    Ok(if changed {
        Applied::Updated {
            checkout_id: link.id,
        }
    } else {
        Applied::NoChange
    })
}

/// What an attempt's outcome brings with it: a void of a second (or partial) authorization on a
/// payment, an overpayment event on a refund link paid twice, and the merchant's events.
async fn outcome_effects(
    state: &AppState,
    link: &LinkRecord,
    attempt: &AttemptRecord,
    transaction: &Transaction,
    reported: AttemptState,
    new_status: CheckoutStatus,
    now: i64,
) -> Result<OutcomeEffects, PaymentsError> {
    let duplicate = reported == AttemptState::Approved
        && link
            .authorized_transaction_id
            .as_deref()
            .is_some_and(|existing| existing != transaction.id);
    let mut effects = OutcomeEffects::default();
    match link.kind {
        LinkKind::Payment if duplicate || holds_money_without_paying(transaction) => {
            // Never leave a second (or a partial) authorization on the customer's card.
            effects.void = Some(void_of(link, transaction, now));
        }
        LinkKind::Refund if duplicate => {
            effects
                .events
                .push(overpayment_event(state, link, transaction, now).await?);
        }
        _ => {}
    }
    effects.events.extend(merchant_events::for_attempt_outcome(
        link,
        attempt,
        reported,
        &transaction.id,
        transaction.approved_amount.map(|a| a as i64),
        new_status,
        now,
    ));
    if new_status == CheckoutStatus::Canceled && link.status != CheckoutStatus::Canceled {
        // The canceled link's last session ended unused: it is over.
        effects
            .events
            .push(merchant_events::for_link_cancel(link, now));
    }
    if new_status == CheckoutStatus::Expired && link.status != CheckoutStatus::Expired {
        // A form's last answer came after the link's time was up: nothing of it can be paid now.
        effects
            .events
            .push(merchant_events::for_link_expiry(link, now));
    }
    Ok(effects)
}

/// As [`apply_attempt_transaction`], for a caller that already holds the link's lock.
pub(in crate::payments) async fn apply_to_attempt(
    state: &AppState,
    attempt: &AttemptRecord,
    transaction: &Transaction,
) -> Result<Applied, PaymentsError> {
    let now = now_ms();
    let record = transaction_record(transaction, &attempt.checkout_id, Some(&attempt.id), now);
    let reported = attempt_state_for(transaction, link_kind(state, attempt).await?);
    if attempt.state.is_final() {
        let already_this = attempt.state == AttemptState::Approved
            && attempt.transaction_id.as_deref() == Some(transaction.id.as_str());
        if reported == AttemptState::Approved && !already_this {
            // Money moved on a settled attempt: a second approval, or one after a decline.
            return settle_approval_on_settled_attempt(state, attempt, transaction, &record, now)
                .await;
        }
        // A replay or a late, older message: the outcome stays.
        state.store.upsert_transaction(&record).await?;
        return Ok(Applied::NoChange);
    }
    if reported == AttemptState::Open {
        // Nothing happened yet.
        state.store.upsert_transaction(&record).await?;
        return Ok(Applied::NoChange);
    }
    let link = state
        .store
        .link(&attempt.checkout_id)
        .await?
        .ok_or(PaymentsError::NotFound)?;
    let new_status = link_status_with(state, &link, attempt, reported).await?;
    if reported == AttemptState::Submitted {
        return record_submitted(state, attempt, link, &record, new_status, now).await;
    }
    let approved = reported == AttemptState::Approved;
    let effects = outcome_effects(
        state,
        &link,
        attempt,
        transaction,
        reported,
        new_status,
        now,
    )
    .await?;
    let outcome = AttemptOutcome {
        state: reported,
        transaction_id: Some(transaction.id.clone()),
        result_code: transaction.result_code,
        response_code: record.response_code,
        result_text: transaction.result_text.clone(),
        link_status: new_status,
        authorizes_link: approved,
        overrides_final: false,
        next_check_at: None,
    };
    state
        .store
        .record_attempt_outcome(attempt, &outcome, &record, &effects, now)
        .await?;
    tracing::info!(
        checkout = %link.id, attempt = %attempt.id, transaction = %transaction.id,
        outcome = reported.as_str(), status = new_status.as_str(), "gateway outcome recorded"
    );
    if effects.void.is_some() {
        state.work.nudge();
    }
    debug_assert!(!approved || new_status == CheckoutStatus::Authorized);
    Ok(Applied::Updated {
        checkout_id: link.id,
    })
}

/// The kind of the link `attempt` belongs to (what an answer means depends on it).
async fn link_kind(state: &AppState, attempt: &AttemptRecord) -> Result<LinkKind, PaymentsError> {
    Ok(state
        .store
        .link(&attempt.checkout_id)
        .await?
        .ok_or(PaymentsError::NotFound)?
        .kind)
}

/// The link's status once `attempt` reports `reported`: an approval anywhere wins, and an expired
/// (or canceled) link stays open while a session of it could still be used.
async fn link_status_with(
    state: &AppState,
    link: &LinkRecord,
    attempt: &AttemptRecord,
    reported: AttemptState,
) -> Result<CheckoutStatus, PaymentsError> {
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
    Ok(ended_as(
        link,
        status::checkout_status(&attempts, time_is_up(state, link).await?),
    ))
}

/// An approval reported for an attempt whose outcome was already final (a second transaction on it):
/// a payment link voids it, unless it is the link's own authorization; a refund link records money
/// that went out — as its payout if it had none, else as an overpayment.
async fn settle_approval_on_settled_attempt(
    state: &AppState,
    attempt: &AttemptRecord,
    transaction: &Transaction,
    record: &TransactionRecord,
    now: i64,
) -> Result<Applied, PaymentsError> {
    let link = state
        .store
        .link(&attempt.checkout_id)
        .await?
        .ok_or(PaymentsError::NotFound)?;
    let already_kept = link.authorized_transaction_id.as_deref() == Some(transaction.id.as_str());
    if already_kept {
        state.store.upsert_transaction(record).await?;
        return Ok(Applied::NoChange);
    }
    let mut effects = OutcomeEffects::default();
    match link.kind {
        LinkKind::Payment => {
            tracing::warn!(checkout = %link.id, attempt = %attempt.id, transaction = %transaction.id, "approval on a settled attempt: voiding it");
            effects.void = Some(void_of(&link, transaction, now));
            state
                .store
                .record_stray_transaction(record, &effects)
                .await?;
            state.work.nudge();
        }
        LinkKind::Refund
            if attempt.state != AttemptState::Approved
                && link.authorized_transaction_id.is_none() =>
        {
            // The refund the customer was told failed was paid after all: it is the link's payout.
            let new_status =
                link_status_with(state, &link, attempt, AttemptState::Approved).await?;
            effects.events.extend(merchant_events::for_attempt_outcome(
                &link,
                attempt,
                AttemptState::Approved,
                &transaction.id,
                transaction.approved_amount.map(|a| a as i64),
                new_status,
                now,
            ));
            let outcome = AttemptOutcome {
                state: AttemptState::Approved,
                transaction_id: Some(transaction.id.clone()),
                result_code: transaction.result_code,
                response_code: record.response_code,
                result_text: transaction.result_text.clone(),
                link_status: new_status,
                authorizes_link: true,
                overrides_final: true,
                next_check_at: None,
            };
            state
                .store
                .record_attempt_outcome(attempt, &outcome, record, &effects, now)
                .await?;
        }
        LinkKind::Refund => {
            effects
                .events
                .push(overpayment_event(state, &link, transaction, now).await?);
            state
                .store
                .record_stray_transaction(record, &effects)
                .await?;
        }
    }
    Ok(Applied::Updated {
        checkout_id: link.id,
    })
}

fn void_of(link: &LinkRecord, transaction: &Transaction, now: i64) -> OperationRecord {
    let amount = transaction.approved_amount.unwrap_or_default() as i64;
    automatic_void(&link.id, &transaction.id, amount, 0, now)
}

/// The event reporting that a refund link paid out once more (counting this payout).
async fn overpayment_event(
    state: &AppState,
    link: &LinkRecord,
    transaction: &Transaction,
    now: i64,
) -> Result<crate::store::MerchantEventRecord, PaymentsError> {
    let earlier = state
        .store
        .transactions_for(&link.id)
        .await?
        .iter()
        .filter(|t| {
            t.id != transaction.id && t.status == "Completed" && t.approved_amount.unwrap_or(0) > 0
        })
        .count();
    tracing::error!(refund_link = %link.id, transaction = %transaction.id, payouts = earlier + 1, "a refund link paid out more than once");
    let amount = transaction
        .approved_amount
        .map_or(link.amount, |a| a as i64);
    Ok(merchant_events::for_overpayment(
        link,
        &transaction.id,
        amount,
        earlier + 1,
        now,
    ))
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
    let _guard = state.store.lock(&op.checkout_id).await?;
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

/// Records a transaction for an operation (an answer, a webhook or a lookup). An open operation
/// settles; a `lost` or `rejected` one is revived when this proves it happened; others never change
/// again. Returns whether it changed.
pub(in crate::payments) async fn apply_to_operation(
    state: &AppState,
    op: &OperationRecord,
    transaction: &Transaction,
) -> Result<bool, PaymentsError> {
    let now = now_ms();
    let record = transaction_record(transaction, &op.checkout_id, None, now);
    let Some(mut outcome) = operation_outcome(transaction) else {
        state.store.upsert_transaction(&record).await?;
        return Ok(false);
    };
    outcome.next_check_at = retry_time(op, outcome.state, now);
    settle_operation(state, op, &outcome, Some(&record), now).await
}

/// Settles an operation with `outcome`, reporting it to the merchant with the payment's status
/// after it.
pub(in crate::payments) async fn settle_operation(
    state: &AppState,
    op: &OperationRecord,
    outcome: &OperationOutcome,
    record: Option<&TransactionRecord>,
    now: i64,
) -> Result<bool, PaymentsError> {
    let mut effects = OutcomeEffects::default();
    if let Some(payment) = state.store.link(&op.checkout_id).await? {
        let status = projected_status(state, &payment, op, outcome).await?;
        effects.events.extend(merchant_events::for_operation(
            &payment, op, outcome, status, now,
        ));
    }
    let changed = state
        .store
        .settle_operation(&op.id, outcome, record, &effects, now)
        .await?;
    if changed {
        let revived = matches!(op.state, OperationState::Lost | OperationState::Rejected);
        tracing::info!(operation = %op.id, checkout = %op.checkout_id, kind = %op.kind, outcome = outcome.state.as_str(), revived, "operation settled");
    }
    Ok(changed)
}

/// A lost operation the gateway now has a transaction for that did not revive it: the gateway's
/// own "it failed" ends its hold; anything not final yet keeps it held and looked up.
async fn still_lost(
    state: &AppState,
    op: &OperationRecord,
    transaction: &Transaction,
    now: i64,
) -> Result<Lookup, PaymentsError> {
    match operation_outcome(transaction) {
        Some(outcome) if outcome.state == OperationState::Rejected => {
            let message = outcome.message.unwrap_or_else(|| {
                "The gateway says this operation failed: nothing happened.".into()
            });
            state
                .store
                .end_lost_operation(&op.id, &message, now)
                .await?;
            Ok(Lookup::Found(AttemptState::Failed))
        }
        _ => {
            state
                .store
                .reschedule_operation(&op.id, Some(lost_operation_check(now, op.checks + 1)))
                .await?;
            Ok(Lookup::Untouched)
        }
    }
}

/// What the merchant reads of an operation the gateway has no record of yet.
const LOST_MESSAGE: &str = "The gateway has no record of this operation yet. paydesk keeps looking it up for 24 hours; its amount stays held until then.";
/// ... and once those lookups are over.
const LOST_FOR_GOOD_MESSAGE: &str = "The gateway never had a record of this operation in 24 hours of lookups: it did not happen, and its amount is no longer held.";

/// Looks an operation up at the gateway by its reference id and applies what it finds; an
/// operation the gateway still does not know long after it was sent is `lost` — held, and looked up
/// again with backoff for [`LOST_LOOKUPS_FOR_MS`] before its hold ends.
pub(in crate::payments) async fn look_up_operation(
    state: &AppState,
    op: &OperationRecord,
) -> Result<Lookup, PaymentsError> {
    let now = now_ms();
    let lost_after =
        i64::try_from(state.config.operation_lost_after.as_millis()).unwrap_or(i64::MAX);
    match state.omni.find_by_reference(&op.gateway_reference_id).await {
        Ok(Some(transaction)) => {
            if apply_to_operation(state, op, &transaction).await? {
                return Ok(Lookup::Found(AttemptState::Approved));
            }
            if op.state == OperationState::Lost {
                return still_lost(state, op, &transaction, now).await;
            }
            state
                .store
                .reschedule_operation(&op.id, Some(unknown_operation_check(now, op.checks + 1)))
                .await?;
            Ok(Lookup::Untouched)
        }
        Ok(None) if op.state == OperationState::Lost => {
            if now - op.created_at > LOST_LOOKUPS_FOR_MS {
                tracing::warn!(operation = %op.id, "the gateway never had a record of this operation; its hold ends");
                state
                    .store
                    .end_lost_operation(&op.id, LOST_FOR_GOOD_MESSAGE, now)
                    .await?;
                return Ok(Lookup::Found(AttemptState::Failed));
            }
            state
                .store
                .reschedule_operation(&op.id, Some(lost_operation_check(now, op.checks + 1)))
                .await?;
            Ok(Lookup::Untouched)
        }
        Ok(None) if now - op.created_at > lost_after && op.state == OperationState::Unknown => {
            let outcome = OperationOutcome {
                state: OperationState::Lost,
                transaction_id: None,
                approved_amount: Some(0),
                response_code: None,
                message: Some(LOST_MESSAGE.into()),
                // paydesk's own voids are tried again; the merchant's are looked up again, their
                // money held meanwhile.
                next_check_at: retry_time(op, OperationState::Lost, now)
                    .or_else(|| (!op.is_automatic()).then(|| lost_operation_check(now, 0))),
            };
            settle_operation(state, op, &outcome, None, now).await?;
            Ok(Lookup::Found(AttemptState::Failed))
        }
        Ok(None) => {
            state
                .store
                .reschedule_operation(&op.id, Some(unknown_operation_check(now, op.checks + 1)))
                .await?;
            Ok(Lookup::Untouched)
        }
        Err(error) => {
            tracing::warn!(operation = %op.id, %error, "lookup failed; the operation stays unknown");
            state
                .store
                .reschedule_operation(&op.id, Some(after_failed_lookup(now, op.checks + 1)))
                .await?;
            Ok(Lookup::Failed {
                rate_limited: error.is_rate_limited(),
            })
        }
    }
}
