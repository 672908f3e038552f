//! The sandbox's REST API under `/v1`: hosted sessions, capture, void, refund and the list endpoints,
//! with the seeds' validation rules and error bodies.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::collections::HashMap;
use time::OffsetDateTime;

use super::clock::{iso, iso_now, new_ulid, trace_id};
use super::ledger::{Session, SessionKind, SessionStatus, Txn};
use super::wire::{ErrorDetailJson, ErrorJson, FormMethod, ReferencedRequestJson, SessionRequestJson, SessionResponse};
use super::Sandbox;

const MAX_AMOUNT: u64 = 999_999_999;
const MAX_TEXT: usize = 100;

/// An error answer in the gateway's shape.
#[derive(Debug)]
pub struct GatewayFailure {
    http: StatusCode,
    body: ErrorJson,
}

impl GatewayFailure {
    fn new(http: StatusCode, code: i64, message: &str, details: Vec<ErrorDetailJson>) -> Self {
        GatewayFailure {
            http,
            body: ErrorJson {
                code,
                status: "Rejected",
                message: message.to_string(),
                trace_id: trace_id(),
                timestamp: iso_now(),
                error_details: details,
            },
        }
    }

    fn validation(field: Option<&str>, details: String) -> Self {
        GatewayFailure::new(
            StatusCode::BAD_REQUEST,
            2000,
            "One or more validation errors occurred.",
            vec![ErrorDetailJson {
                code: 2000,
                field: field.map(str::to_string),
                details: Some(details),
                message: "Request validation failed".into(),
            }],
        )
    }

    fn invalid(message: &str, detail: String) -> Self {
        GatewayFailure::new(
            StatusCode::BAD_REQUEST,
            2000,
            message,
            vec![ErrorDetailJson {
                code: 2000,
                field: None,
                details: None,
                message: detail,
            }],
        )
    }
}

impl IntoResponse for GatewayFailure {
    fn into_response(self) -> Response {
        (self.http, Json(self.body)).into_response()
    }
}

/// 401 unless the request carries the sandbox's API key.
pub fn authorize(sandbox: &Sandbox, headers: &HeaderMap) -> Result<(), GatewayFailure> {
    match headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        None | Some("") => Err(GatewayFailure::new(StatusCode::UNAUTHORIZED, 1000, "API key cannot be empty", vec![])),
        Some(key) if key == sandbox.config.api_key => Ok(()),
        Some(_) => Err(GatewayFailure::new(StatusCode::UNAUTHORIZED, 1000, "Invalid or missing API key", vec![])),
    }
}

fn parse_json<T: serde::de::DeserializeOwned + Default>(body: &Bytes) -> Result<T, GatewayFailure> {
    if body.is_empty() {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| GatewayFailure::validation(None, format!("The request body is not valid JSON: {e}")))
}

fn amount_field(value: Option<&Value>, required: bool) -> Result<Option<u64>, GatewayFailure> {
    let message = || {
        GatewayFailure::validation(
            Some("Amount"),
            "The Amount field must be a positive number between 1 and 999999999.".into(),
        )
    };
    match value {
        None | Some(Value::Null) if !required => Ok(None),
        None | Some(Value::Null) => Err(message()),
        Some(v) => match v.as_u64() {
            Some(amount) if (1..=MAX_AMOUNT).contains(&amount) => Ok(Some(amount)),
            _ => Err(message()),
        },
    }
}

fn text_field(name: &str, value: &Option<String>) -> Result<(), GatewayFailure> {
    match value {
        Some(text) if text.chars().count() > MAX_TEXT => Err(GatewayFailure::validation(
            Some(name),
            format!("The field {name} must be a string with a maximum length of {MAX_TEXT}."),
        )),
        _ => Ok(()),
    }
}

fn check_breakdown(breakdown: Option<&Value>) -> Result<(), GatewayFailure> {
    let Some(breakdown) = breakdown.filter(|b| !b.is_null()) else { return Ok(()) };
    let Some(parts) = breakdown.as_object() else {
        return Err(GatewayFailure::validation(Some("AmountBreakdown"), "The AmountBreakdown field must be an object.".into()));
    };
    for (name, value) in parts {
        if !value.is_null() && !value.as_u64().is_some_and(|v| v <= MAX_AMOUNT) {
            return Err(GatewayFailure::validation(
                Some("AmountBreakdown"),
                format!("AmountBreakdown.{name} must be a whole number between 0 and 999999999."),
            ));
        }
    }
    Ok(())
}

pub async fn virtual_auth(State(sandbox): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    create_session(&sandbox, &headers, &body, SessionKind::Auth).unwrap_or_else(IntoResponse::into_response)
}

pub async fn unreferenced_virtual_refund(State(sandbox): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    create_session(&sandbox, &headers, &body, SessionKind::UnreferencedRefund).unwrap_or_else(IntoResponse::into_response)
}

fn create_session(sandbox: &Sandbox, headers: &HeaderMap, body: &Bytes, kind: SessionKind) -> Result<Response, GatewayFailure> {
    authorize(sandbox, headers)?;
    let request: SessionRequestJson = parse_json(body)?;
    let amount = amount_field(request.amount.as_ref(), true)?.unwrap_or_default();
    text_field("ReferenceId", &request.reference_id)?;
    text_field("OrderNumber", &request.order_number)?;
    text_field("InvoiceNumber", &request.invoice_number)?;
    check_breakdown(request.amount_breakdown.as_ref())?;
    if let Some(url) = &request.return_url {
        if app::frame_protocol::origin_of(url).is_none() {
            return Err(GatewayFailure::validation(Some("ReturnUrl"), "The ReturnUrl field must be an absolute URL.".into()));
        }
    }
    let forms = sandbox.forms();
    let form = match &request.payment_method_id {
        Some(id) => forms.iter().find(|f| &f.id == id).cloned().ok_or_else(|| {
            GatewayFailure::validation(Some("PaymentMethodId"), format!("Payment method {id} was not found or is not a hosted payment form."))
        })?,
        None if forms.len() == 1 => forms[0].clone(),
        None => {
            return Err(GatewayFailure::validation(
                Some("PaymentMethodId"),
                "PaymentMethodId is required when more than one hosted payment form is configured.".into(),
            ))
        }
    };

    let token = new_ulid();
    let now = OffsetDateTime::now_utc();
    let expires_at = now + sandbox.config.session_ttl;
    let reference_id = request.reference_id.clone().unwrap_or_else(|| format!("ref_{}", new_ulid().to_lowercase()));
    let mut ledger = sandbox.lock();
    if !ledger.references.insert(reference_id.clone()) {
        return Err(GatewayFailure::validation(
            Some("ReferenceId"),
            format!("The ReferenceId '{reference_id}' has already been used. It must be unique per merchant."),
        ));
    }
    let transaction_id = format!("trx_{}", new_ulid());
    ledger.transactions.push(Txn {
        id: transaction_id.clone(),
        timestamp: now,
        kind: match kind {
            SessionKind::Auth => "Auth",
            SessionKind::UnreferencedRefund => "Refund",
        },
        status: "Created",
        result_code: 0,
        result_text: String::new(),
        reference_id: reference_id.clone(),
        order_number: request.order_number.clone(),
        invoice_number: request.invoice_number.clone(),
        requested: amount,
        approved: 0,
        form: form.clone(),
        response: None,
        captured: 0,
        refunded: 0,
        voided: false,
    });
    let session = Session {
        kind,
        iframe_id: format!("ifr_{}", new_ulid()),
        session_id: format!("ses_{token}"),
        amount,
        form: form.clone(),
        return_url: request.return_url.clone(),
        use_javascript_callback: request.use_javascript_callback.unwrap_or(false),
        expires_at,
        status: SessionStatus::Pending,
        transaction_id,
    };
    let response = SessionResponse {
        id: session.iframe_id.clone(),
        status: "Pending",
        iframe_url: Some(format!("{}/session/{token}", sandbox.origin)),
        session_id: session.session_id.clone(),
        order_number: request.order_number,
        reference_id,
        invoice_number: request.invoice_number,
        payment_method: form,
        requested_amount: amount,
        expiration_timestamp: iso(expires_at),
    };
    ledger.sessions.insert(token, session);
    Ok(Json(response).into_response())
}

#[derive(Clone, Copy)]
enum Operation {
    Capture,
    Void,
    Refund,
}

pub async fn capture(State(sandbox): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    referenced(&sandbox, &headers, &body, Operation::Capture).unwrap_or_else(IntoResponse::into_response)
}

pub async fn void(State(sandbox): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    referenced(&sandbox, &headers, &body, Operation::Void).unwrap_or_else(IntoResponse::into_response)
}

pub async fn refund(State(sandbox): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    referenced(&sandbox, &headers, &body, Operation::Refund).unwrap_or_else(IntoResponse::into_response)
}

fn referenced(sandbox: &Sandbox, headers: &HeaderMap, body: &Bytes, op: Operation) -> Result<Response, GatewayFailure> {
    authorize(sandbox, headers)?;
    let request: ReferencedRequestJson = parse_json(body)?;
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
    let mut ledger = sandbox.lock();
    let original = ledger
        .find_original(request.original_transaction_id.as_deref(), request.original_reference_id.as_deref())
        .cloned()
        .ok_or_else(|| GatewayFailure::invalid("Related transaction not found", "The original transaction could not be found.".into()))?;
    if !original.is_approved() {
        return Err(GatewayFailure::invalid(
            "Request is invalid",
            format!("Transaction ID {} was not approved and cannot be referenced.", original.id),
        ));
    }
    if original.voided {
        return Err(GatewayFailure::invalid("Request is invalid", format!("Transaction ID {} has already been voided.", original.id)));
    }
    let (kind, approved) = match op {
        Operation::Capture => {
            if original.kind != "Auth" {
                return Err(GatewayFailure::invalid("Capture request is invalid", format!("Transaction ID {} is not an authorization.", original.id)));
            }
            let available = original.approved.saturating_sub(original.captured);
            let wanted = amount.unwrap_or(available);
            if wanted > available || available == 0 {
                return Err(GatewayFailure::invalid(
                    "Capture request is invalid",
                    format!("Capture amount of {wanted} exceeds the available balance of {available} for transaction ID {}", original.id),
                ));
            }
            ("Capture", wanted)
        }
        Operation::Void => ("Void", original.approved),
        Operation::Refund => {
            if !matches!(original.kind, "Sale" | "Capture") {
                return Err(GatewayFailure::invalid(
                    "Refund request is invalid",
                    format!("Transaction ID {} is not a sale or capture and cannot be refunded.", original.id),
                ));
            }
            let available = original.approved.saturating_sub(original.refunded);
            let wanted = match amount {
                Some(a) => a,
                None if original.refunded > 0 => {
                    return Err(GatewayFailure::invalid(
                        "Refund request is invalid",
                        format!("An explicit amount is required because transaction ID {} already has partial refunds.", original.id),
                    ))
                }
                None => available,
            };
            if wanted > available || available == 0 {
                return Err(GatewayFailure::invalid(
                    "Refund request is invalid",
                    format!("Refund amount of {wanted} exceeds the available balance of {available} for transaction ID {}", original.id),
                ));
            }
            ("Refund", wanted)
        }
    };
    let reference_id = request.reference_id.clone().unwrap_or_else(|| format!("ref_{}", new_ulid().to_lowercase()));
    if !ledger.references.insert(reference_id.clone()) {
        return Err(GatewayFailure::validation(
            Some("ReferenceId"),
            format!("The ReferenceId '{reference_id}' has already been used. It must be unique per merchant."),
        ));
    }
    if let Some(stored) = ledger.transaction_mut(&original.id) {
        match op {
            Operation::Capture => stored.captured += approved,
            Operation::Refund => stored.refunded += approved,
            Operation::Void => stored.voided = true,
        }
    }
    let mut response = original.response.clone();
    if let Some(r) = response.as_mut() {
        r.amount_approved = approved;
        r.host_response_text = "APPROVED 00".into();
    }
    let txn = Txn {
        id: format!("trx_{}", new_ulid()),
        timestamp: OffsetDateTime::now_utc(),
        kind,
        status: "Completed",
        result_code: 0,
        result_text: "APPROVED".into(),
        reference_id,
        order_number: request.order_number.or(original.order_number.clone()),
        invoice_number: request.invoice_number.or(original.invoice_number.clone()),
        requested: approved,
        approved,
        form: original.form.clone(),
        response,
        captured: 0,
        refunded: 0,
        voided: false,
    };
    let json = serde_json::to_value(txn.to_json()).unwrap_or_default();
    ledger.transactions.push(txn);
    drop(ledger);
    let event = match op {
        Operation::Capture => "capture.completed",
        Operation::Void => "void.completed",
        Operation::Refund => "refund.completed",
    };
    sandbox.notifier.send(event, json.clone());
    Ok(Json(json).into_response())
}

/// A parsed `filters` condition.
struct Condition {
    field: String,
    operator: &'static str,
    values: Vec<String>,
}

fn split_unescaped(text: &str, separator: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = text.chars();
    while let Some(ch) = chars.next() {
        if ch == '\\' {
            if let Some(next) = chars.next() {
                parts.last_mut().map(|p| {
                    if next != separator {
                        p.push('\\');
                    }
                    p.push(next)
                });
            }
        } else if ch == separator {
            parts.push(String::new());
        } else if let Some(p) = parts.last_mut() {
            p.push(ch);
        }
    }
    parts
}

fn parse_filters(filters: &str) -> Result<Vec<Condition>, GatewayFailure> {
    const OPERATORS: [&str; 4] = ["!=", "==", "@=", "_="];
    let mut conditions = Vec::new();
    for part in split_unescaped(filters, ',') {
        if part.is_empty() {
            continue;
        }
        let (field, operator, rest) = OPERATORS
            .iter()
            .find_map(|op| part.split_once(op).map(|(f, r)| (f, *op, r)))
            .ok_or_else(|| GatewayFailure::validation(Some("Filters"), format!("Unsupported filter '{part}'.")))?;
        let values = split_unescaped(rest, '|').into_iter().map(|v| v.replace("\\\\", "\\")).collect();
        conditions.push(Condition { field: field.trim().to_string(), operator, values });
    }
    Ok(conditions)
}

fn matches(txn: &Txn, condition: &Condition) -> bool {
    let Some(actual) = txn.field(&condition.field) else { return false };
    let any = condition.values.iter().any(|v| match condition.operator {
        "==" | "!=" => &actual == v,
        "@=" => actual.contains(v.as_str()),
        _ => actual.starts_with(v.as_str()),
    });
    if condition.operator == "!=" {
        !any
    } else {
        any
    }
}

const PAGE_SIZE: usize = 50;

pub async fn list_transactions(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let result = (|| {
        authorize(&sandbox, &headers)?;
        let conditions = parse_filters(params.get("filters").map(String::as_str).unwrap_or(""))?;
        let page: usize = params.get("page").and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1);
        let ledger = sandbox.lock();
        let mut selected: Vec<&Txn> = ledger
            .transactions
            .iter()
            .filter(|t| conditions.iter().all(|c| matches(t, c)))
            .collect();
        if params.get("sorts").is_some_and(|s| s.starts_with('-')) {
            selected.reverse();
        }
        let total = selected.len();
        let items: Vec<Value> = selected
            .into_iter()
            .skip((page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .filter_map(|t| serde_json::to_value(t.to_json()).ok())
            .collect();
        Ok::<_, GatewayFailure>(Json(json!({ "items": items, "page": page, "pageSize": PAGE_SIZE, "totalCount": total })).into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

pub async fn list_payment_methods(State(sandbox): State<Sandbox>, headers: HeaderMap) -> Response {
    if let Err(failure) = authorize(&sandbox, &headers) {
        return failure.into_response();
    }
    let items: Vec<FormMethod> = sandbox.forms();
    Json(json!({ "items": items, "page": 1, "pageSize": PAGE_SIZE, "totalCount": items.len() })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_escapes_and_alternatives() {
        let conditions = parse_filters(r"referenceId==a\,b,type==Auth|Capture").unwrap();
        assert_eq!(conditions.len(), 2);
        assert_eq!(conditions[0].values, vec!["a,b".to_string()]);
        assert_eq!(conditions[1].values, vec!["Auth".to_string(), "Capture".to_string()]);
        assert!(parse_filters("referenceId~x").is_err());
    }
}
