//! The simulated Omni API's list endpoints: `GET /v1/transactions` (filters, sorts, pages, as the
//! gateway documents them) and `GET /v1/payment-methods`.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::failure::{authorize, GatewayFailure};
use super::fault_answers::answer_under_fault;
use super::fault_points::FaultPoint;
use super::gateway_state::{GatewayState, Txn};
use super::simulator::OmniSandbox;
use super::wire::FormMethod;

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
                if let Some(part) = parts.last_mut() {
                    if next != separator {
                        part.push('\\');
                    }
                    part.push(next);
                }
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
    // Longest first, so `>=` is not read as `>`.
    const OPERATORS: [&str; 8] = ["!=", "==", "@=", "_=", ">=", "<=", ">", "<"];
    let mut conditions = Vec::new();
    for part in split_unescaped(filters, ',') {
        if part.is_empty() {
            continue;
        }
        let (field, operator, rest) = OPERATORS
            .iter()
            .find_map(|op| part.split_once(op).map(|(f, r)| (f, *op, r)))
            .ok_or_else(|| {
                GatewayFailure::validation(Some("Filters"), format!("Unsupported filter '{part}'."))
            })?;
        let values = split_unescaped(rest, '|')
            .into_iter()
            .map(|v| v.replace("\\\\", "\\"))
            .collect();
        conditions.push(Condition {
            field: field.trim().to_string(),
            operator,
            values,
        });
    }
    Ok(conditions)
}

fn matches(txn: &Txn, condition: &Condition) -> bool {
    let Some(actual) = txn.field(&condition.field) else {
        return false;
    };
    let any = condition.values.iter().any(|v| match condition.operator {
        "==" | "!=" => &actual == v,
        "@=" => actual.contains(v.as_str()),
        "_=" => actual.starts_with(v.as_str()),
        comparison => {
            // Numbers compare as numbers, everything else (ISO timestamps) as text.
            let ordering = match (actual.parse::<i64>(), v.parse::<i64>()) {
                (Ok(a), Ok(b)) => a.cmp(&b),
                _ => actual.as_str().cmp(v.as_str()),
            };
            match comparison {
                ">=" => ordering.is_ge(),
                "<=" => ordering.is_le(),
                ">" => ordering.is_gt(),
                _ => ordering.is_lt(),
            }
        }
    });
    if condition.operator == "!=" {
        !any
    } else {
        any
    }
}

const PAGE_SIZE: usize = 50;

/// The transactions an exact `referenceId==…` or `id==…` condition selects, through the indexes.
fn indexed<'a>(gateway: &'a GatewayState, conditions: &[Condition]) -> Option<Vec<&'a Txn>> {
    let exact = conditions
        .iter()
        .find(|c| c.operator == "==" && matches!(c.field.as_str(), "referenceId" | "id"))?;
    Some(
        exact
            .values
            .iter()
            .filter_map(|value| match exact.field.as_str() {
                "id" => gateway.transaction(value),
                _ => gateway.transaction_by_reference(value),
            })
            .collect(),
    )
}

pub async fn list_transactions(
    State(sandbox): State<OmniSandbox>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    if let Err(failure) = authorize(&sandbox, &headers) {
        return failure.into_response();
    }
    answer_under_fault(&sandbox, FaultPoint::Transactions, || {
        transactions_page(&sandbox, &params).unwrap_or_else(IntoResponse::into_response)
    })
    .await
}

fn transactions_page(
    sandbox: &OmniSandbox,
    params: &HashMap<String, String>,
) -> Result<Response, GatewayFailure> {
    let conditions = parse_filters(params.get("filters").map(String::as_str).unwrap_or(""))?;
    let page: usize = params
        .get("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let gateway = sandbox.lock();
    let mut selected: Vec<&Txn> = match indexed(&gateway, &conditions) {
        // A lookup by reference id or id (what paydesk does to settle outcomes): straight to it.
        Some(found) => found
            .into_iter()
            .filter(|t| conditions.iter().all(|c| matches(t, c)))
            .collect(),
        None => gateway
            .transactions()
            .iter()
            .filter(|t| conditions.iter().all(|c| matches(t, c)))
            .collect(),
    };
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
    Ok(
        Json(json!({ "items": items, "page": page, "pageSize": PAGE_SIZE, "totalCount": total }))
            .into_response(),
    )
}

pub async fn list_payment_methods(
    State(sandbox): State<OmniSandbox>,
    headers: HeaderMap,
) -> Response {
    if let Err(failure) = authorize(&sandbox, &headers) {
        return failure.into_response();
    }
    let items: Vec<FormMethod> = sandbox.forms();
    Json(json!({ "items": items, "page": 1, "pageSize": PAGE_SIZE, "totalCount": items.len() }))
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_escapes_and_alternatives() {
        let conditions = parse_filters(r"referenceId==a\,b,type==Auth|Capture").unwrap();
        assert_eq!(conditions.len(), 2);
        assert_eq!(conditions[0].values, vec!["a,b".to_string()]);
        assert_eq!(
            conditions[1].values,
            vec!["Auth".to_string(), "Capture".to_string()]
        );
        assert!(parse_filters("referenceId~x").is_err());
        let since = parse_filters("timestamp>=2026-01-01T00:00:00Z,amount<500").unwrap();
        assert_eq!((since[0].operator, since[1].operator), (">=", "<"));
    }
}
