//! The simulated Payroc's errors: RFC 7807 bodies (`application/problem+json`) with the documented
//! `type` URIs, titles and extensions (reference §9). The simulator writes its own JSON here, so the
//! client's typed errors are checked against an independent copy.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

const ERRORS: &str = "https://docs.payroc.com/api/errors#";

fn problem(
    status: StatusCode,
    fragment: &str,
    title: &str,
    detail: &str,
    extra: Value,
) -> Response {
    let mut body = json!({
        "type": format!("{ERRORS}{fragment}"),
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            body.insert(key.clone(), value.clone());
        }
    }
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

pub fn bad_request(parameter: &str, message: &str) -> Response {
    problem(
        StatusCode::BAD_REQUEST,
        "bad-request",
        "Bad request",
        "One or more validation errors occurred, see error section for more info",
        json!({ "errors": [{ "parameter": parameter, "detail": message, "message": message }] }),
    )
}

pub fn idempotency_key_missing() -> Response {
    problem(
        StatusCode::BAD_REQUEST,
        "idempotency-key-missing",
        "Idempotency-Key header missing",
        "An 'Idempotency-Key' must be supplied for this request",
        json!({}),
    )
}

pub fn idempotency_key_in_use() -> Response {
    problem(
        StatusCode::CONFLICT,
        "idempotency-key-in-use",
        "Idempotency-Key in use",
        "'Idempotency-Key' is already in use against a different request",
        json!({}),
    )
}

pub fn not_authorized() -> Response {
    problem(
        StatusCode::UNAUTHORIZED,
        "not-authorized",
        "Not Authorized",
        "The credentials supplied are not valid for this request",
        json!({}),
    )
}

pub fn not_found(resource: &str) -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "not-found",
        "Resource not found",
        "The requested resource was not found",
        json!({ "resource": resource }),
    )
}

pub fn resource_already_exists() -> Response {
    problem(
        StatusCode::CONFLICT,
        "resource-already-exists",
        "Resource already exists",
        "The resource you attempted to create already exists",
        json!({}),
    )
}

/// 409 on a DELETE the instruction's state forbids; a completed one carries its refund's link.
/// 409 for a refund that was declined or already reversed: nothing to take out of the batch.
/// (The spec lists only `resource-already-exists` for this 409.)
pub fn cannot_be_reversed() -> Response {
    problem(
        StatusCode::CONFLICT,
        "resource-already-exists",
        "Resource already exists",
        "The refund was declined or is already reversed",
        Value::Null,
    )
}

pub fn cannot_be_canceled(message: &str, refund_href: Option<String>) -> Response {
    let mut extra = json!({
        "errors": [{ "parameter": "refundInstructionId", "message": message }],
    });
    if let Some(href) = refund_href {
        extra["link"] = json!({ "rel": "refund", "method": "GET", "href": href });
    }
    problem(
        StatusCode::CONFLICT,
        "cannot-be-canceled",
        "Cannot be canceled",
        "You cannot cancel this resource in its current state",
        extra,
    )
}

/// 500, as the fault `interrupted` answers.
pub fn api_error() -> Response {
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "api-error",
        "Api error",
        "An unexpected error occurred",
        json!({ "errors": [{ "message": "Interrupted" }] }),
    )
}
