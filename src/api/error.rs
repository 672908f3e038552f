//! The merchant API's one error type and shape, `{"error": {"code", "message", "field"?}}` with a
//! fitting HTTP status, and the guard that gives every error under `/api/v1` that shape — even one
//! produced below the handlers (an oversized body, an unknown path, a wrong method).

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use paydesk_core::gateways::omni::hosted_forms::HostedFormError;
use paydesk_core::payments::PaymentsError;

use crate::request_id::RequestId;

/// A merchant API error: `{"error": {"code", "message", "field"?}}` with a fitting HTTP status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// The request field this error names, if any.
    pub fn field_name(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// A storage failure: logged here, never shown.
    pub fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "storage problem during a merchant API call");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "paydesk could not complete the request.",
        )
    }

    /// A request header that is malformed, named as sent.
    pub fn header(name: &str, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_header",
            message: message.into(),
            field: Some(name.to_string()),
        }
    }

    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_field",
            message: message.into(),
            field: Some(field.into()),
        }
    }
}

/// Every merchant API error body: `{"error": {"code", "message", "field"?, "requestId"?}}`.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct ErrorBody {
    /// What was refused, and why.
    pub error: ErrorObject,
}

/// An error: a stable code for your code, a message for a person, the field at fault if any.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct ErrorObject {
    /// Stable, machine-readable code, e.g. `invalid_field`, `exceeds_balance`.
    #[schemars(schema_with = "super::error_codes::error_code_schema")]
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// The request field at fault, as the API spells it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The request's id (also its `Request-Id` header): quote it to support.
    #[serde(rename = "requestId", skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorObject {
                code: self.code.to_string(),
                message: self.message,
                field: self.field,
                request_id: None,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<PaymentsError> for ApiError {
    fn from(error: PaymentsError) -> Self {
        match error {
            PaymentsError::NotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "No checkout has this id.",
            ),
            PaymentsError::Invalid(field) => ApiError::field(field.field, field.message),
            PaymentsError::ReferenceConflict { .. } => ApiError::new(
                StatusCode::CONFLICT,
                "reference_id_conflict",
                error.to_string(),
            ),
            PaymentsError::Form(HostedFormError::NoFormForCurrency(currency)) => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "currency_not_enabled",
                message: format!("The gateway account has no hosted payment form for {currency}."),
                field: Some("currency".into()),
            },
            PaymentsError::Form(_)
            | PaymentsError::Gateway(_)
            | PaymentsError::UntrustedIframeOrigin(_)
            | PaymentsError::Device(_)
            | PaymentsError::CommerceHub(_) => {
                tracing::error!(%error, "gateway problem during a merchant API call");
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "gateway_unavailable",
                    "The payment gateway could not be reached. Try again shortly.",
                )
            }
            PaymentsError::Store(_) => {
                tracing::error!(%error, "storage problem during a merchant API call");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "paydesk could not complete the request.",
                )
            }
            PaymentsError::InvalidLink => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "No refund link has this id.",
            ),
            PaymentsError::Refused(refusal) => {
                let status = match refusal.code {
                    "operation_in_progress"
                    | "cannot_cancel"
                    | "payout_form_open"
                    | "payment_form_open"
                    | "cannot_reverse"
                    | "already_captured"
                    | "already_voided"
                    | "partially_refunded" => StatusCode::CONFLICT,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                ApiError::new(status, refusal.code, refusal.message)
            }
            PaymentsError::GatewayRejected(message) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "gateway_rejected",
                message,
            ),
            PaymentsError::IdempotencyConflict => ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_conflict",
                error.to_string(),
            ),
            PaymentsError::DeviceRefundsOff => ApiError::new(
                StatusCode::CONFLICT,
                "device_refunds_off",
                error.to_string(),
            ),
            PaymentsError::GatewayRefundsOff => ApiError::new(
                StatusCode::CONFLICT,
                "gateway_refunds_off",
                error.to_string(),
            ),
            PaymentsError::OriginalBusy { .. } => ApiError::new(
                StatusCode::CONFLICT,
                "refund_in_progress",
                error.to_string(),
            ),
        }
    }
}

/// The last guard of "every API error is JSON with a stable code": an error answer from below our
/// handlers (a body over the size limit, say) is rewritten in the API's error shape.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let id = request.extensions().get::<RequestId>().cloned();
    let response = with_json_errors(next.run(request).await);
    match id {
        Some(id) if response.status().is_client_error() || response.status().is_server_error() => {
            with_request_id(response, &id).await
        }
        _ => response,
    }
}

/// An error body that names the request's id (`error.requestId`), as its header does.
async fn with_request_id(response: Response, id: &RequestId) -> Response {
    let (mut parts, body) = response.into_parts();
    // Error bodies are a few hundred bytes; anything larger is passed on as it is.
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    let named = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|mut value| {
            value
                .get_mut("error")?
                .as_object_mut()?
                .insert("requestId".into(), id.0.as_ref().into());
            serde_json::to_vec(&value).ok()
        });
    let bytes = named.unwrap_or_else(|| bytes.to_vec());
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// `response`, or an error from below the handlers rewritten in the API's error shape.
fn with_json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !status.is_client_error() && !status.is_server_error() || is_json {
        return response;
    }
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::NOT_FOUND => "not_found",
        s if s.is_client_error() => "invalid_request",
        _ => "internal_error",
    };
    let message = status.canonical_reason().unwrap_or("Error").to_string();
    ApiError::new(status, code, message).into_response()
}

/// Unknown paths under the API answer JSON too, with a stable code.
pub async fn api_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "No API endpoint has this path; see /api/v1/openapi.json.",
    )
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This endpoint does not take this HTTP method; see /api/v1/openapi.json.",
    )
}
