//! The sandbox's referenced operations: `/transactions/capture`, `/void` and `/refund`, with
//! balance checks, the seeds' amount rules, batch semantics (a refund inside the open batch is
//! carried out as a void; a void after the batch closed is refused) and the closed-account card's
//! declined refunds.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use time::OffsetDateTime;

use super::failure::{amount_field, authorize, parse_json, text_field, GatewayFailure};
use super::fault_answers::answer_under_fault;
use super::fault_points::FaultPoint;
use super::gateway_state::{GatewayState, Operation, Txn};
use super::scenarios::CLOSED_ACCOUNT_RESPONSE;
use super::simulator::OmniSandbox;
use super::wire::{ReferencedRequestJson, ResponseJson};
use crate::sandbox::clock::new_ulid;

pub async fn capture(
    State(sandbox): State<OmniSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    under_fault(&sandbox, &headers, &body, Operation::Capture).await
}

pub async fn void(State(sandbox): State<OmniSandbox>, headers: HeaderMap, body: Bytes) -> Response {
    under_fault(&sandbox, &headers, &body, Operation::Void).await
}

pub async fn refund(
    State(sandbox): State<OmniSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    under_fault(&sandbox, &headers, &body, Operation::Refund).await
}

async fn under_fault(
    sandbox: &OmniSandbox,
    headers: &HeaderMap,
    body: &Bytes,
    op: Operation,
) -> Response {
    if let Err(failure) = authorize(sandbox, headers) {
        return failure.into_response();
    }
    answer_under_fault(sandbox, fault_point(op), || {
        referenced(sandbox, body, op).unwrap_or_else(IntoResponse::into_response)
    })
    .await
}

/// What the issuer says about an operation that passed the balance checks.
struct Decision {
    kind: &'static str,
    amount: u64,
    /// `Some(code, text)` when the card refuses it.
    declined: Option<(i64, &'static str)>,
    receipt: &'static str,
}

/// The request's fields as the gateway checks them; the amount asked for, if any.
fn validate_referenced_request(
    request: &ReferencedRequestJson,
) -> Result<Option<u64>, GatewayFailure> {
    let amount = amount_field(request.amount.as_ref(), false)?;
    text_field("ReferenceId", &request.reference_id)?;
    text_field("OriginalReferenceId", &request.original_reference_id)?;
    text_field("OrderNumber", &request.order_number)?;
    text_field("InvoiceNumber", &request.invoice_number)?;
    if request.original_transaction_id.is_some() == request.original_reference_id.is_some() {
        return Err(GatewayFailure::validation(
            None,
            "Either OriginalTransactionId or OriginalReferenceId must be provided.".into(),
        ));
    }
    Ok(amount)
}

/// The card's answer to the new transaction: the original's, with this decision's amount and
/// response code.
fn card_response(original: &Txn, decision: &Decision, approved: u64) -> Option<ResponseJson> {
    let mut response = original.response.clone();
    if let Some(r) = response.as_mut() {
        r.amount_approved = approved;
        r.auth_code = None;
        match decision.declined {
            Some((code, text)) => {
                r.response_code = code;
                r.host_response_text = text.into();
            }
            None => {
                r.response_code = 1;
                r.host_response_text = "APPROVED 00".into();
            }
        }
    }
    response
}

fn referenced(
    sandbox: &OmniSandbox,
    body: &Bytes,
    op: Operation,
) -> Result<Response, GatewayFailure> {
    let request: ReferencedRequestJson = parse_json(body)?;
    let amount = validate_referenced_request(&request)?;
    let mut gateway = sandbox.lock();
    let original = gateway
        .find_original(
            request.original_transaction_id.as_deref(),
            request.original_reference_id.as_deref(),
        )
        .cloned()
        .ok_or_else(|| {
            GatewayFailure::invalid(
                "Related transaction not found",
                "The original transaction could not be found.".into(),
            )
        })?;
    let decision = decide(&gateway, &original, op, amount)?;
    let reference_id = request
        .reference_id
        .clone()
        .unwrap_or_else(|| format!("ref_{}", new_ulid().to_lowercase()));
    if gateway.reference_used(&reference_id) {
        return Err(GatewayFailure::validation(
            Some("ReferenceId"),
            format!("The ReferenceId '{reference_id}' has already been used. It must be unique per merchant."),
        ));
    }
    let approved = if decision.declined.is_some() {
        0
    } else {
        decision.amount
    };
    if let Some(stored) = gateway.transaction_mut(&original.id) {
        match op {
            Operation::Capture => stored.captured += approved,
            Operation::Refund => stored.refunded += approved,
            Operation::Void => stored.voided = true,
        }
    }
    let response = card_response(&original, &decision, approved);
    let txn = Txn {
        id: format!("trx_{}", new_ulid()),
        timestamp: OffsetDateTime::now_utc(),
        kind: decision.kind.into(),
        status: "Completed".into(),
        result_code: 0,
        result_text: decision
            .declined
            .map_or("APPROVED", |(_, text)| text)
            .into(),
        reference_id,
        order_number: request.order_number.or(original.order_number.clone()),
        invoice_number: request.invoice_number.or(original.invoice_number.clone()),
        requested: decision.amount,
        approved,
        form: original.form.clone(),
        response,
        captured: 0,
        refunded: 0,
        voided: false,
        batch: gateway.open_batch,
        refunds_declined: original.refunds_declined,
        receipt_lines: vec![decision.receipt.to_string()],
    };
    let json = serde_json::to_value(txn.to_json()).unwrap_or_default();
    gateway.push_transaction(txn);
    drop(gateway);
    let event = match op {
        Operation::Capture => "capture.completed",
        Operation::Void => "void.completed",
        Operation::Refund => "refund.completed",
    };
    sandbox.send_webhook(event, json.clone());
    Ok(Json(json).into_response())
}

fn decide(
    gateway: &GatewayState,
    original: &Txn,
    op: Operation,
    amount: Option<u64>,
) -> Result<Decision, GatewayFailure> {
    let id = &original.id;
    if !original.is_approved() {
        return Err(GatewayFailure::invalid(
            "Request is invalid",
            format!("Transaction ID {id} was not approved and cannot be referenced."),
        ));
    }
    if original.voided {
        return Err(GatewayFailure::invalid(
            "Request is invalid",
            format!("Transaction ID {id} has already been voided."),
        ));
    }
    let in_open_batch = original.batch == gateway.open_batch;
    match op {
        Operation::Capture => decide_capture(original, amount),
        Operation::Void => decide_void(original, in_open_batch),
        Operation::Refund => decide_refund(original, amount, in_open_batch),
    }
}

/// A capture of an authorization, up to what is still uncaptured.
fn decide_capture(original: &Txn, amount: Option<u64>) -> Result<Decision, GatewayFailure> {
    let id = &original.id;
    if original.kind != "Auth" {
        return Err(GatewayFailure::invalid(
            "Capture request is invalid",
            format!("Transaction ID {id} is not an authorization."),
        ));
    }
    let available = original.approved.saturating_sub(original.captured);
    let wanted = amount.unwrap_or(available);
    if wanted > available || available == 0 {
        return Err(GatewayFailure::invalid(
            "Capture request is invalid",
            format!("Capture amount of {wanted} exceeds the available balance of {available} for transaction ID {id}"),
        ));
    }
    Ok(Decision {
        kind: "Capture",
        amount: wanted,
        declined: None,
        receipt: "CAPTURE",
    })
}

/// A void of a sale, authorization or capture still in the open batch, never of a captured one.
fn decide_void(original: &Txn, in_open_batch: bool) -> Result<Decision, GatewayFailure> {
    let id = &original.id;
    if !matches!(original.kind.as_str(), "Sale" | "Auth" | "Capture") {
        return Err(GatewayFailure::invalid(
            "Void request is invalid",
            format!("Transaction ID {id} is not a sale, authorization or capture."),
        ));
    }
    if !in_open_batch {
        return Err(GatewayFailure::invalid(
            "Void request is invalid",
            format!("Transaction ID {id} is in a closed batch and can no longer be voided. Refund it instead."),
        ));
    }
    if original.captured > 0 {
        return Err(GatewayFailure::invalid(
            "Void request is invalid",
            format!("Transaction ID {id} has been captured. Void the capture instead."),
        ));
    }
    let receipt = if original.kind == "Auth" {
        "VOID AUTH"
    } else {
        "VOID SALE"
    };
    Ok(Decision {
        kind: "Void",
        amount: original.approved.saturating_sub(original.refunded),
        declined: None,
        receipt,
    })
}

/// A refund of a sale or capture: reversed while its batch is open, moved back once settled
/// (where a closed account declines it).
fn decide_refund(
    original: &Txn,
    amount: Option<u64>,
    in_open_batch: bool,
) -> Result<Decision, GatewayFailure> {
    let id = &original.id;
    if !matches!(original.kind.as_str(), "Sale" | "Capture") {
        return Err(GatewayFailure::invalid(
            "Refund request is invalid",
            format!("Transaction ID {id} is not a sale or capture and cannot be refunded."),
        ));
    }
    let available = original.approved.saturating_sub(original.refunded);
    let wanted = match amount {
        Some(a) => a,
        None if original.refunded > 0 => {
            return Err(GatewayFailure::invalid(
                "Refund request is invalid",
                format!("An explicit amount is required because transaction ID {id} already has partial refunds."),
            ))
        }
        None => available,
    };
    if wanted > available || available == 0 {
        return Err(GatewayFailure::invalid(
            "Refund request is invalid",
            format!("Refund amount of {wanted} exceeds the available balance of {available} for transaction ID {id}"),
        ));
    }
    if in_open_batch {
        // Not settled yet: the gateway reverses it instead of moving money back.
        let receipt = if original.kind == "Sale" {
            "VOID SALE"
        } else {
            "VOID CAPTURE"
        };
        return Ok(Decision {
            kind: "Refund",
            amount: wanted,
            declined: None,
            receipt,
        });
    }
    let declined = original.refunds_declined.then_some(CLOSED_ACCOUNT_RESPONSE);
    Ok(Decision {
        kind: "Refund",
        amount: wanted,
        declined,
        receipt: "REFUND",
    })
}

/// Where a fault for `op` is queued.
fn fault_point(op: Operation) -> FaultPoint {
    match op {
        Operation::Capture => FaultPoint::Capture,
        Operation::Void => FaultPoint::Void,
        Operation::Refund => FaultPoint::Refund,
    }
}
