//! The gateway's error answers (`{code, status, message, traceId, timestamp, errorDetails}`) and
//! the request checks that produce them, shared by every sandbox endpoint.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use time::OffsetDateTime;

use super::simulator::OmniSandbox;
use super::wire::{ErrorDetailJson, ErrorJson};
use crate::sandbox::clock::iso_now;

pub const MAX_AMOUNT: u64 = 999_999_999;
const MAX_TEXT: usize = 100;

/// An error answer in the gateway's shape.
#[derive(Debug)]
pub struct GatewayFailure {
    http: StatusCode,
    body: Box<ErrorJson>,
}

impl GatewayFailure {
    pub fn new(http: StatusCode, code: i64, message: &str, details: Vec<ErrorDetailJson>) -> Self {
        GatewayFailure {
            http,
            body: Box::new(ErrorJson {
                code,
                status: "Rejected",
                message: message.to_string(),
                trace_id: trace_id(),
                timestamp: iso_now(),
                error_details: details,
            }),
        }
    }

    pub fn validation(field: Option<&str>, details: String) -> Self {
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

    pub fn invalid(message: &str, detail: String) -> Self {
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

impl GatewayFailure {
    /// `Interrupted`: the final state is unknown to the caller (the sandbox may or may not have
    /// acted).
    pub fn interrupted() -> Self {
        let mut failure = GatewayFailure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            3000,
            "The request was interrupted and its final status is unknown. Check the transaction before retrying.",
            vec![],
        );
        failure.body.status = "Interrupted";
        failure
    }
}

impl GatewayFailure {
    /// 429: the merchant sent too many requests; nothing happened. Carries the gateway's rate-limit
    /// headers (the reset one second from now).
    pub fn rate_limited() -> Self {
        GatewayFailure::new(
            StatusCode::TOO_MANY_REQUESTS,
            1000,
            "Too many requests",
            vec![],
        )
    }
}

impl IntoResponse for GatewayFailure {
    fn into_response(self) -> Response {
        let mut response = (self.http, Json(self.body)).into_response();
        if self.http == StatusCode::TOO_MANY_REQUESTS {
            let reset = (OffsetDateTime::now_utc().unix_timestamp() + 1).to_string();
            for (name, value) in [
                ("x-ratelimit-limit", "100".to_string()),
                ("x-ratelimit-remaining", "0".into()),
                ("x-ratelimit-reset", reset),
            ] {
                if let Ok(value) = value.parse() {
                    response.headers_mut().insert(name, value);
                }
            }
        }
        response
    }
}

/// 401 unless the request carries the sandbox's API key.
pub fn authorize(sandbox: &OmniSandbox, headers: &HeaderMap) -> Result<(), GatewayFailure> {
    match headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        None | Some("") => Err(GatewayFailure::new(
            StatusCode::UNAUTHORIZED,
            1000,
            "API key cannot be empty",
            vec![],
        )),
        Some(key) if key == sandbox.config.api_key => Ok(()),
        Some(_) => Err(GatewayFailure::new(
            StatusCode::UNAUTHORIZED,
            1000,
            "Invalid or missing API key",
            vec![],
        )),
    }
}

pub fn parse_json<T: serde::de::DeserializeOwned + Default>(
    body: &Bytes,
) -> Result<T, GatewayFailure> {
    if body.is_empty() {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        GatewayFailure::validation(None, format!("The request body is not valid JSON: {e}"))
    })
}

pub fn amount_field(value: Option<&Value>, required: bool) -> Result<Option<u64>, GatewayFailure> {
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

pub fn text_field(name: &str, value: &Option<String>) -> Result<(), GatewayFailure> {
    match value {
        Some(text) if text.chars().count() > MAX_TEXT => Err(GatewayFailure::validation(
            Some(name),
            format!("The field {name} must be a string with a maximum length of {MAX_TEXT}."),
        )),
        _ => Ok(()),
    }
}

pub fn check_breakdown(breakdown: Option<&Value>) -> Result<(), GatewayFailure> {
    let Some(breakdown) = breakdown.filter(|b| !b.is_null()) else {
        return Ok(());
    };
    let Some(parts) = breakdown.as_object() else {
        return Err(GatewayFailure::validation(
            Some("AmountBreakdown"),
            "The AmountBreakdown field must be an object.".into(),
        ));
    };
    for (name, value) in parts {
        if !value.is_null() && value.as_u64().is_none_or(|v| v > MAX_AMOUNT) {
            return Err(GatewayFailure::validation(
                Some("AmountBreakdown"),
                format!("AmountBreakdown.{name} must be a whole number between 0 and 999999999."),
            ));
        }
    }
    Ok(())
}

/// A trace id shaped like the gateway's (`1-<8 hex>-<24 hex>`).
pub fn trace_id() -> String {
    let ulid = ulid::Ulid::new().0;
    format!(
        "1-{:08x}-{:024x}",
        OffsetDateTime::now_utc().unix_timestamp() as u32,
        ulid & ((1u128 << 96) - 1)
    )
}
