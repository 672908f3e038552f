//! The sandbox's REST API under `/v1`: hosted-form sessions and the list endpoints, with the seeds'
//! validation rules and error bodies. Capture, void and refund live in `operations`.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::collections::HashMap;
use time::OffsetDateTime;

use super::clock::{iso, new_ulid};
use super::failure::{amount_field, authorize, check_breakdown, parse_json, text_field, GatewayFailure};
use super::ledger::{Session, SessionKind, SessionStatus, Txn};
use super::wire::{FormMethod, SessionRequestJson, SessionResponse};
use super::Sandbox;

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
    let batch = ledger.open_batch;
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
        batch,
        refunds_declined: false,
        receipt_lines: vec![],
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
