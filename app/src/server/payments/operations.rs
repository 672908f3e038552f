//! Capture, void and referenced refund of an authorized checkout. Each operation is planned against the
//! ledger, written before the gateway is called, and settled by the gateway's answer, its webhook or a
//! lookup by reference id. An interrupted call stays "unknown" until a lookup settles it: never re-sent.

use serde::{Deserialize, Serialize};

use super::error::PaymentsError;
use super::ledger::{self, LinkHold, LinkedRefund, Plan, Position};
use super::new_id;
use super::reconcile::{transaction_record, Applied};
use crate::model::{CheckoutStatus, LinkKind};
use crate::server::gateway::wire::{response_code, ReferencedRequest, Transaction, TransactionStatus};
use crate::server::gateway::{Effect, GatewayError};
use crate::server::merchant_events;
use crate::server::store::{
    iso8601, now_ms, AUTOMATIC_VOID_MESSAGE, MERCHANT_INITIATOR, PAYDESK_INITIATOR, AttemptState, CheckoutRecord, OperationInsert, OperationKind, OperationOutcome, OperationRecord,
    OperationState,
};
use crate::server::AppState;

/// An operation unsettled for this long, which the gateway still does not know, never happened.
const LOST_AFTER_MS: i64 = 10 * 60 * 1000;
/// A `pending` row older than this belongs to a call that died with its process: treat it as unknown.
const STALE_PENDING_MS: i64 = 2 * 60 * 1000;

/// The merchant's request body for capture and refund (`{}` or `{"amount": 500}`); void takes none.
#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OperationRequest {
    /// Minor units. Omitted: the full capturable (capture) or refundable (first refund) amount.
    #[serde(default)]
    pub amount: Option<i64>,
}

/// An operation as the merchant API shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OperationResource {
    pub id: String,
    pub object: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// `pending`, `unknown`, `succeeded`, `declined`, `rejected` or `lost`.
    pub status: String,
    pub amount: i64,
    pub approved_amount: Option<i64>,
    pub original_transaction_id: String,
    pub transaction_id: Option<String>,
    /// The gateway's words about a decline or a rejection.
    pub message: Option<String>,
    pub created_at: String,
}

impl From<&OperationRecord> for OperationResource {
    fn from(op: &OperationRecord) -> Self {
        OperationResource {
            id: op.id.clone(),
            object: "operation".into(),
            kind: op.kind.clone(),
            status: op.state.clone(),
            amount: op.amount,
            approved_amount: op.approved_amount,
            original_transaction_id: op.original_transaction_id.clone(),
            transaction_id: op.transaction_id.clone(),
            message: op.message.clone(),
            created_at: iso8601(op.created_at),
        }
    }
}

/// The answer to an operation request: the operation and the checkout's ledger after it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OperationResult {
    pub operation: OperationResource,
    pub ledger: ledger::Ledger,
    /// `false` when an identical earlier request (same idempotency key) is being answered again.
    #[serde(skip)]
    pub created: bool,
}

/// Captures, voids or refunds a checkout. `idempotency_key` makes a retried request return the first
/// answer instead of acting twice.
pub async fn perform(
    state: &AppState,
    checkout_id: &str,
    kind: OperationKind,
    request: OperationRequest,
    idempotency_key: Option<String>,
) -> Result<OperationResult, PaymentsError> {
    let _guard = state.locks.lock(checkout_id).await;
    let checkout = payment_checkout(state, checkout_id).await?;
    if let Some(key) = &idempotency_key {
        if let Some(existing) = state.store.operation_by_key(checkout_id, key).await? {
            if existing.operation_kind() != kind || request.amount.is_some_and(|a| a != existing.amount) {
                return Err(PaymentsError::IdempotencyConflict);
            }
            settle_open(state, &checkout).await?;
            return result(state, &checkout, &existing.id, false).await;
        }
    }
    settle_open(state, &checkout).await?;
    let position = load_position(state, &checkout).await?;
    let plan = match kind {
        OperationKind::Capture => ledger::plan_capture(&position, request.amount),
        OperationKind::Void => ledger::plan_void(&position),
        OperationKind::Refund => ledger::plan_refund(&position, request.amount),
    }
    .map_err(PaymentsError::Refused)?;
    let op = write_operation(state, &checkout, kind, &plan, idempotency_key).await?;
    call_gateway(state, &checkout, &op).await?;
    result(state, &checkout, &op.id, true).await
}

async fn write_operation(
    state: &AppState,
    checkout: &CheckoutRecord,
    kind: OperationKind,
    plan: &Plan,
    idempotency_key: Option<String>,
) -> Result<OperationRecord, PaymentsError> {
    let now = now_ms();
    let id = new_id("op");
    let record = OperationRecord {
        gateway_reference_id: id.clone(),
        id,
        checkout_id: checkout.id.clone(),
        kind: kind.as_str().into(),
        original_transaction_id: plan.original_transaction_id.clone(),
        amount: plan.amount,
        state: OperationState::Pending.as_str().into(),
        transaction_id: None,
        approved_amount: None,
        response_code: None,
        message: None,
        idempotency_key,
        created_at: now,
        updated_at: now,
        initiator: MERCHANT_INITIATOR.into(),
    };
    match state.store.insert_operation(&record).await? {
        OperationInsert::Created(op) => Ok(op),
        // Only possible if the same key raced past the check above, which the lock prevents.
        OperationInsert::KeyExists(_) => Err(PaymentsError::IdempotencyConflict),
    }
}

/// Sends the operation once and records what is known afterwards.
async fn call_gateway(state: &AppState, checkout: &CheckoutRecord, op: &OperationRecord) -> Result<(), PaymentsError> {
    let kind = op.operation_kind();
    let request = ReferencedRequest {
        original_transaction_id: Some(op.original_transaction_id.clone()),
        original_reference_id: None,
        reference_id: Some(op.gateway_reference_id.clone()),
        amount: match kind {
            OperationKind::Void => None,
            _ => u32::try_from(op.amount).ok(),
        },
        invoice_number: checkout.invoice_number.clone(),
        order_number: checkout.order_number.clone(),
    };
    let answer = match kind {
        OperationKind::Capture => state.gateway.capture(&request).await,
        OperationKind::Void => state.gateway.void(&request).await,
        OperationKind::Refund => state.gateway.refund(&request).await,
    };
    match answer {
        Ok(transaction) => {
            settle_with(state, op, &transaction).await?;
            Ok(())
        }
        Err(error) if error.effect() == Effect::None => {
            let message = gateway_message(&error);
            tracing::warn!(operation = %op.id, %error, "the gateway refused the operation; nothing happened");
            let outcome = OperationOutcome {
                state: OperationState::Rejected,
                transaction_id: None,
                approved_amount: None,
                response_code: None,
                message: Some(message.clone()),
            };
            state.store.settle_operation(&op.id, &outcome, None, None, now_ms()).await?;
            Err(PaymentsError::GatewayRejected(message))
        }
        Err(error) => {
            tracing::warn!(operation = %op.id, %error, "operation outcome unknown; looking it up (never re-sent)");
            state
                .store
                .mark_operation_unknown(&op.id, "The gateway's answer was interrupted; the outcome is being confirmed.", now_ms())
                .await?;
            if let Some(op) = state.store.operation(&op.id).await? {
                settle_by_lookup(state, &op).await?;
            }
            Ok(())
        }
    }
}

/// The gateway's own words for a refusal (validation messages, balance errors), never our internals.
fn gateway_message(error: &GatewayError) -> String {
    match error {
        GatewayError::Api { error, .. } => error.describe(),
        GatewayError::Connect(_) => "The payment gateway could not be reached; nothing was sent. Try again shortly.".into(),
        _ => "The payment gateway refused the request; nothing happened.".into(),
    }
}

/// What a transaction means for the operation that produced it; `None` while it is not final.
fn outcome_of(transaction: &Transaction) -> Option<OperationOutcome> {
    let response = transaction.transaction_responses.iter().find_map(|r| r.response_code);
    let text = transaction
        .transaction_responses
        .iter()
        .find_map(|r| r.host_response_text.clone())
        .or_else(|| transaction.result_text.clone());
    let state = match transaction.status {
        TransactionStatus::Completed => match (transaction.result_code, response) {
            (Some(0), Some(response_code::APPROVED)) => OperationState::Succeeded,
            (Some(0), Some(_)) => OperationState::Declined,
            _ => OperationState::Rejected,
        },
        TransactionStatus::Declined => OperationState::Declined,
        _ => return None,
    };
    Some(OperationOutcome {
        state,
        transaction_id: Some(transaction.id.clone()),
        approved_amount: match state {
            OperationState::Succeeded => transaction.approved_amount.map(|a| a as i64),
            _ => Some(0),
        },
        response_code: response,
        message: (state != OperationState::Succeeded).then_some(text).flatten(),
    })
}

/// Records a transaction for an operation. Idempotent: a settled operation never changes again.
async fn settle_with(state: &AppState, op: &OperationRecord, transaction: &Transaction) -> Result<bool, PaymentsError> {
    let now = now_ms();
    let record = transaction_record(transaction, &op.checkout_id, None, now);
    match outcome_of(transaction) {
        Some(outcome) => {
            let event = match state.store.checkout(&op.checkout_id).await? {
                Some(checkout) => merchant_events::for_operation(
                    &checkout,
                    op,
                    outcome.state,
                    outcome.transaction_id.as_deref(),
                    outcome.approved_amount,
                    now,
                ),
                None => None,
            };
            let changed = state.store.settle_operation(&op.id, &outcome, Some(&record), event.as_ref(), now).await?;
            if changed {
                tracing::info!(operation = %op.id, checkout = %op.checkout_id, kind = %op.kind, outcome = outcome.state.as_str(), "operation settled");
            }
            Ok(changed)
        }
        None => {
            state.store.upsert_transaction(&record).await?;
            Ok(false)
        }
    }
}

async fn settle_by_lookup(state: &AppState, op: &OperationRecord) -> Result<(), PaymentsError> {
    match state.gateway.find_by_reference(&op.gateway_reference_id).await {
        Ok(Some(transaction)) => {
            settle_with(state, op, &transaction).await?;
        }
        Ok(None) if now_ms() - op.created_at > LOST_AFTER_MS && op.operation_state() == OperationState::Unknown => {
            let outcome = OperationOutcome {
                state: OperationState::Lost,
                transaction_id: None,
                approved_amount: Some(0),
                response_code: None,
                message: Some("The gateway has no record of this operation; it did not happen.".into()),
            };
            state.store.settle_operation(&op.id, &outcome, None, None, now_ms()).await?;
        }
        Ok(None) => {}
        Err(error) => tracing::warn!(operation = %op.id, %error, "lookup failed; the operation stays unknown"),
    }
    Ok(())
}

/// Settles the checkout's open operations by lookup. Caller holds the checkout's lock.
async fn settle_open(state: &AppState, checkout: &CheckoutRecord) -> Result<(), PaymentsError> {
    let now = now_ms();
    for op in state.store.operations_for(&checkout.id).await? {
        match op.operation_state() {
            OperationState::Unknown => settle_by_lookup(state, &op).await?,
            OperationState::Pending if now - op.updated_at > STALE_PENDING_MS => {
                state.store.mark_operation_unknown(&op.id, "paydesk stopped during the call; confirming.", now).await?;
                if let Some(op) = state.store.operation(&op.id).await? {
                    settle_by_lookup(state, &op).await?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Background: settles every unknown operation it can (lookups by reference id).
pub async fn settle_unknown_operations(state: &AppState) -> Result<usize, PaymentsError> {
    let mut settled = 0;
    for op in state.store.unsettled_operations(100).await? {
        let _guard = state.locks.lock(&op.checkout_id).await;
        let Some(checkout) = state.store.checkout(&op.checkout_id).await? else { continue };
        settle_open(state, &checkout).await?;
        if state.store.operation(&op.id).await?.is_some_and(|o| !o.operation_state().is_open()) {
            settled += 1;
        }
    }
    Ok(settled)
}

/// Queues a void of an authorization the checkout does not keep (a second approval, or a partial one
/// that does not pay it), so the customer's card is not left holding that money. The row is durable
/// before anything is sent; `dispatch_queued_operations` sends it.
pub(super) async fn queue_stray_void(
    state: &AppState,
    checkout_id: &str,
    transaction_id: &str,
    amount: i64,
) -> Result<(), PaymentsError> {
    let operations = state.store.operations_for(checkout_id).await?;
    if operations.iter().any(|op| op.original_transaction_id == transaction_id && op.operation_kind() == OperationKind::Void) {
        return Ok(());
    }
    let now = now_ms();
    let id = new_id("op");
    let record = OperationRecord {
        gateway_reference_id: id.clone(),
        id,
        checkout_id: checkout_id.to_string(),
        kind: OperationKind::Void.as_str().into(),
        original_transaction_id: transaction_id.to_string(),
        amount: amount.max(1),
        state: OperationState::Queued.as_str().into(),
        transaction_id: None,
        approved_amount: None,
        response_code: None,
        message: Some(AUTOMATIC_VOID_MESSAGE.into()),
        idempotency_key: None,
        created_at: now,
        updated_at: now,
        initiator: PAYDESK_INITIATOR.into(),
    };
    state.store.insert_operation(&record).await?;
    tracing::warn!(checkout = checkout_id, transaction = transaction_id, "queued a void of an authorization the checkout does not keep");
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(error) = dispatch_queued_operations(&state).await {
            tracing::warn!(%error, "queued operations not sent yet; the background task will retry");
        }
    });
    Ok(())
}

/// Sends every queued operation once (claimed atomically, so never twice). Returns how many were sent.
pub async fn dispatch_queued_operations(state: &AppState) -> Result<usize, PaymentsError> {
    let mut sent = 0;
    for op in state.store.queued_operations(50).await? {
        let _guard = state.locks.lock(&op.checkout_id).await;
        if !state.store.claim_queued_operation(&op.id, now_ms()).await? {
            continue;
        }
        let Some(checkout) = state.store.checkout(&op.checkout_id).await? else { continue };
        match call_gateway(state, &checkout, &op).await {
            Ok(()) | Err(PaymentsError::GatewayRejected(_)) => sent += 1,
            Err(error) => return Err(error),
        }
    }
    Ok(sent)
}

/// Applies a `capture.completed`, `void.completed` or `refund.completed` transaction to the operation
/// whose reference id it carries.
pub async fn apply_operation_transaction(state: &AppState, transaction: &Transaction) -> Result<Option<Applied>, PaymentsError> {
    let Some(reference) = transaction.reference_id.as_deref() else { return Ok(None) };
    let Some(op) = state.store.operation_by_reference(reference).await? else { return Ok(None) };
    let _guard = state.locks.lock(&op.checkout_id).await;
    let op = state.store.operation(&op.id).await?.ok_or(PaymentsError::NotFound)?;
    let changed = settle_with(state, &op, transaction).await?;
    Ok(Some(if changed {
        Applied::Updated { checkout_id: op.checkout_id.clone() }
    } else {
        Applied::NoChange
    }))
}

async fn payment_checkout(state: &AppState, id: &str) -> Result<CheckoutRecord, PaymentsError> {
    match state.store.checkout(id).await? {
        Some(checkout) if checkout.link_kind() == LinkKind::Payment => Ok(checkout),
        _ => Err(PaymentsError::NotFound),
    }
}

/// The checkout's ledger position: its authorization, operations and bound refund links.
pub async fn load_position(state: &AppState, checkout: &CheckoutRecord) -> Result<Position, PaymentsError> {
    let authorization = match &checkout.authorized_transaction_id {
        Some(id) => {
            let approved = state
                .store
                .transaction(id)
                .await?
                .and_then(|t| t.approved_amount)
                .unwrap_or(checkout.amount);
            Some((id.clone(), approved))
        }
        None => None,
    };
    let operations = state.store.operations_for(&checkout.id).await?;
    let mut links = Vec::new();
    for link in state.store.refund_links_of(&checkout.id).await? {
        links.push(LinkedRefund {
            amount: link.amount,
            hold: link_hold(state, &link).await?,
        });
    }
    Ok(ledger::position(
        authorization.as_ref().map(|(id, amount)| (id.as_str(), *amount)),
        &operations,
        &links,
    ))
}

/// Whether a refund link still holds its amount: until it expires *and* no session of it can still be
/// used (a session opened just before the link's expiry lives on until its own).
async fn link_hold(state: &AppState, link: &CheckoutRecord) -> Result<LinkHold, PaymentsError> {
    if link.checkout_status() == CheckoutStatus::Authorized {
        return Ok(LinkHold::PaidOut);
    }
    let now = now_ms();
    if now < link.expires_at {
        return Ok(LinkHold::Reserved);
    }
    let live = state.store.attempts_for(&link.id).await?.iter().any(|a| match a.attempt_state() {
        AttemptState::Submitted | AttemptState::Creating => true,
        AttemptState::Open => a.expires_at.is_none_or(|at| now < at + super::session::EXPIRY_GRACE_MS),
        _ => false,
    });
    Ok(if live { LinkHold::Reserved } else { LinkHold::Released })
}

async fn result(state: &AppState, checkout: &CheckoutRecord, op_id: &str, created: bool) -> Result<OperationResult, PaymentsError> {
    let op = state.store.operation(op_id).await?.ok_or(PaymentsError::NotFound)?;
    let position = load_position(state, checkout).await?;
    Ok(OperationResult {
        operation: OperationResource::from(&op),
        ledger: position.ledger,
        created,
    })
}
