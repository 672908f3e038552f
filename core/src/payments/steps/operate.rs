//! Capture, void and referenced refund of an authorized payment. Each operation is planned against
//! the ledger, written before the gateway is called, sent once, and settled by the gateway's answer
//! (or, when the answer is lost, by a lookup: never re-sent). Also sends the voids paydesk queues
//! itself.

use serde::{Deserialize, Serialize};

use crate::fault_injection;
use crate::gateways::omni::wire::ReferencedRequest;
use crate::gateways::omni::OmniError;
use crate::gateways::Effect;
use crate::model::{LinkKind, OperationInitiator, OperationKind, OperationState};
use crate::payments::actor::Actor;
use crate::payments::error::PaymentsError;
use crate::payments::ids::new_id;
use crate::payments::rules::ledger::{self, Plan};
use crate::payments::rules::schedule::{
    pending_operation_check, unknown_operation_check, STALE_PENDING_MS,
};
use crate::payments::steps::apply::{
    apply_to_operation, look_up_operation, settle_operation, Lookup,
};
use crate::payments::steps::position::load_position;
use crate::payments::steps::stray_voids::retry_time;
use crate::store::{
    iso8601, now_ms, LinkRecord, OperationInsert, OperationOutcome, OperationRecord, WorkLock,
};
use crate::AppState;

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
    /// `op_…`.
    pub id: String,
    /// Always `operation`.
    pub object: String,
    #[serde(rename = "type")]
    /// `capture`, `void` or `refund`.
    pub kind: OperationKind,
    /// Where it stands: `unknown` means paydesk is asking the gateway, never that nothing happened.
    pub status: OperationState,
    /// The amount asked for, in minor units.
    pub amount: i64,
    /// The amount the gateway approved, once it answered.
    pub approved_amount: Option<i64>,
    /// The gateway transaction it acts on (the authorization or the capture).
    pub original_transaction_id: String,
    /// The gateway transaction it made, once known.
    pub transaction_id: Option<String>,
    /// The gateway's words about a decline or a rejection.
    pub message: Option<String>,
    /// When it was asked for (RFC 3339).
    pub created_at: String,
}

impl From<&OperationRecord> for OperationResource {
    fn from(op: &OperationRecord) -> Self {
        OperationResource {
            id: op.id.clone(),
            object: "operation".into(),
            kind: op.kind,
            status: op.state,
            amount: op.amount,
            approved_amount: op.approved_amount,
            original_transaction_id: op.original_transaction_id.clone(),
            transaction_id: op.transaction_id.clone(),
            message: op.message.clone(),
            created_at: iso8601(op.created_at),
        }
    }
}

/// The answer to an operation request: the operation and the payment's ledger after it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OperationResult {
    /// The operation asked for.
    pub operation: OperationResource,
    /// The payment's ledger once the operation is recorded.
    pub ledger: ledger::Ledger,
    /// `false` when an identical earlier request (same idempotency key) is being answered again.
    #[serde(skip)]
    pub created: bool,
}

/// Captures, voids or refunds a payment. `idempotency_key` makes a retried request return the first
/// answer instead of acting twice.
#[tracing::instrument(skip(state, request), fields(checkout = checkout_id, kind = %kind))]
pub async fn perform(
    state: &AppState,
    checkout_id: &str,
    kind: OperationKind,
    request: OperationRequest,
    idempotency_key: Option<String>,
    actor: &Actor,
) -> Result<OperationResult, PaymentsError> {
    let (payment, op) = {
        let guard = state.store.lock(checkout_id).await?;
        let payment = payment(state, checkout_id).await?;
        if let Some(key) = &idempotency_key {
            if let Some(existing) = state.store.operation_by_key(checkout_id, key).await? {
                if existing.kind != kind || request.amount.is_some_and(|a| a != existing.amount) {
                    return Err(PaymentsError::IdempotencyConflict);
                }
                settle_open_operations(state, &payment).await?;
                return result(state, &payment, &existing.id, false).await;
            }
        }
        settle_open_operations(state, &payment).await?;
        let position = load_position(state, &payment).await?;
        let plan = match kind {
            OperationKind::Capture => ledger::plan_capture(&position, request.amount),
            OperationKind::Void => ledger::plan_void(&position),
            OperationKind::Refund => ledger::plan_refund(&position, request.amount),
        }
        .map_err(PaymentsError::Refused)?;
        let op =
            write_operation(state, &guard, &payment, kind, &plan, idempotency_key, actor).await?;
        (payment, op)
    };
    // The lock is released: the row in `pending` now stands for the call in flight.
    send(state, &payment, &op).await?;
    result(state, &payment, &op.id, true).await
}

/// Settles a payment's open operations by lookup — `unknown` ones, and `pending` ones whose call
/// died with its process — before anything new is planned. Caller holds the payment's lock.
async fn settle_open_operations(
    state: &AppState,
    payment: &LinkRecord,
) -> Result<(), PaymentsError> {
    let now = now_ms();
    for op in state.store.operations_for(&payment.id).await? {
        match op.state {
            OperationState::Unknown => {
                look_up_operation(state, &op).await?;
            }
            OperationState::Pending if now - op.updated_at > STALE_PENDING_MS => {
                look_up_stale(state, &op, now).await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// A `pending` operation whose call died with its process: it may have happened, so it is unknown
/// until a lookup says.
pub(in crate::payments) async fn look_up_stale(
    state: &AppState,
    op: &OperationRecord,
    now: i64,
) -> Result<Lookup, PaymentsError> {
    state
        .store
        .mark_operation_unknown(
            &op.id,
            "paydesk stopped during the call; confirming.",
            now,
            unknown_operation_check(now, 0),
        )
        .await?;
    match state.store.operation(&op.id).await? {
        Some(op) => look_up_operation(state, &op).await,
        None => Ok(Lookup::Untouched),
    }
}

/// Writes the planned operation, under the payment's lease (`guard`): a stale holder writes nothing.
async fn write_operation(
    state: &AppState,
    guard: &WorkLock,
    payment: &LinkRecord,
    kind: OperationKind,
    plan: &Plan,
    idempotency_key: Option<String>,
    actor: &Actor,
) -> Result<OperationRecord, PaymentsError> {
    let now = now_ms();
    let id = new_id("op");
    let record = OperationRecord {
        gateway_reference_id: id.clone(),
        id,
        checkout_id: payment.id.clone(),
        kind,
        original_transaction_id: plan.original_transaction_id.clone(),
        amount: plan.amount,
        state: OperationState::Pending,
        transaction_id: None,
        approved_amount: None,
        response_code: None,
        message: None,
        idempotency_key,
        created_at: now,
        updated_at: now,
        initiator: OperationInitiator::Merchant,
        next_check_at: Some(pending_operation_check(now)),
        checks: 0,
    };
    // Who asked is written with the operation itself: never one without the other.
    let audit = actor.audit(
        kind.as_str(),
        &payment.id,
        serde_json::json!({ "operationId": record.id, "amount": record.amount, "idempotencyKey": record.idempotency_key }),
    );
    match state
        .store
        .insert_operation(&record, Some(&audit), guard.fence())
        .await?
    {
        OperationInsert::Created(op) => Ok(op),
        // Only possible if the same key raced past the check above, which the lock prevents.
        OperationInsert::KeyExists(_) => Err(PaymentsError::IdempotencyConflict),
    }
}

/// Sends the operation once and records what is known afterwards: the answer, a refusal (nothing
/// happened), or "unknown" followed by a lookup.
async fn send(
    state: &AppState,
    payment: &LinkRecord,
    op: &OperationRecord,
) -> Result<(), PaymentsError> {
    let request = ReferencedRequest {
        original_transaction_id: Some(op.original_transaction_id.clone()),
        original_reference_id: None,
        reference_id: Some(op.gateway_reference_id.clone()),
        amount: match op.kind {
            OperationKind::Void => None,
            _ => u32::try_from(op.amount).ok(),
        },
        invoice_number: payment.invoice_number.clone(),
        order_number: payment.order_number.clone(),
    };
    let answer = match op.kind {
        OperationKind::Capture => state.omni.capture(&request).await,
        OperationKind::Void => state.omni.void(&request).await,
        OperationKind::Refund => state.omni.refund(&request).await,
    };
    fault_injection::crash_point(fault_injection::points::OPERATION_ANSWERED);
    match answer {
        Ok(transaction) => {
            apply_to_operation(state, op, &transaction).await?;
            Ok(())
        }
        Err(error) if error.effect() == Effect::None => {
            let message = gateway_message(&error);
            tracing::warn!(operation = %op.id, %error, "the gateway refused the operation; nothing happened");
            let now = now_ms();
            let outcome = OperationOutcome {
                state: OperationState::Rejected,
                transaction_id: None,
                approved_amount: None,
                response_code: None,
                message: Some(message.clone()),
                next_check_at: retry_time(op, OperationState::Rejected, now),
            };
            settle_operation(state, op, &outcome, None, now).await?;
            Err(PaymentsError::GatewayRejected(message))
        }
        Err(error) => {
            tracing::warn!(operation = %op.id, %error, "operation outcome unknown; looking it up (never re-sent)");
            let now = now_ms();
            state
                .store
                .mark_operation_unknown(
                    &op.id,
                    "The gateway's answer was interrupted; the outcome is being confirmed.",
                    now,
                    unknown_operation_check(now, 0),
                )
                .await?;
            if let Some(op) = state.store.operation(&op.id).await? {
                look_up_operation(state, &op).await?;
            }
            Ok(())
        }
    }
}

/// The gateway's own words for a refusal (validation messages, balance errors), never our
/// internals.
fn gateway_message(error: &OmniError) -> String {
    match error {
        OmniError::Api { error, .. } => error.describe(),
        OmniError::Connect(_) => {
            "The payment gateway could not be reached; nothing was sent. Try again shortly.".into()
        }
        _ => "The payment gateway refused the request; nothing happened.".into(),
    }
}

/// Sends a queued operation (an automatic void) once: claimed atomically, so never twice. Caller
/// holds the payment's lock only to claim it. Returns whether this caller sent it.
pub(in crate::payments) async fn send_queued(
    state: &AppState,
    op: &OperationRecord,
) -> Result<bool, PaymentsError> {
    let now = now_ms();
    if !state
        .store
        .claim_queued_operation(&op.id, now, pending_operation_check(now))
        .await?
    {
        return Ok(false);
    }
    let Some(payment) = state.store.link(&op.checkout_id).await? else {
        return Ok(false);
    };
    match send(state, &payment, op).await {
        Ok(()) | Err(PaymentsError::GatewayRejected(_)) => Ok(true),
        Err(error) => Err(error),
    }
}

async fn payment(state: &AppState, id: &str) -> Result<LinkRecord, PaymentsError> {
    match state.store.link(id).await? {
        Some(link) if link.kind == LinkKind::Payment => Ok(link),
        _ => Err(PaymentsError::NotFound),
    }
}

async fn result(
    state: &AppState,
    payment: &LinkRecord,
    op_id: &str,
    created: bool,
) -> Result<OperationResult, PaymentsError> {
    let op = state
        .store
        .operation(op_id)
        .await?
        .ok_or(PaymentsError::NotFound)?;
    let position = load_position(state, payment).await?;
    Ok(OperationResult {
        operation: OperationResource::from(&op),
        ledger: position.ledger,
        created,
    })
}
