//! The merchant API (`/api/v1/…`: checkouts, capture/void/refund, refund links; bearer token, JSON errors
//! with a stable code that name the field) and `/healthz`.


use app::server::payments::{
    create_checkout, create_refund_link, get_checkout, get_refund_link, perform, refund_to_new_card, NewCheckout,
    NewRefundLink, OperationRequest, PaymentsError,
};
use app::server::api_tokens::{self, Scope};

use crate::endpoints::endpoints;
use app::server::store::{now_ms, OperationKind, Store};
use app::server::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;


/// A merchant API error: `{"error": {"code", "message", "field"?}}` with a fitting HTTP status.
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// A storage failure: logged here, never shown.
    pub(crate) fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "storage problem during a merchant API call");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "paydesk could not complete the request.")
    }

    pub(crate) fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_field",
            message: message.into(),
            field: Some(field.into()),
        }
    }
}

/// Every merchant API error body: `{"error": {"code", "message", "field"?}}`.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct ErrorBody {
    pub error: ErrorObject,
}

#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct ErrorObject {
    /// Stable, machine-readable code, e.g. `invalid_field`, `exceeds_balance`.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// The request field at fault, as the API spells it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorObject {
                code: self.code.to_string(),
                message: self.message,
                field: self.field,
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
            PaymentsError::NotFound => ApiError::new(StatusCode::NOT_FOUND, "not_found", "No checkout has this id."),
            PaymentsError::Invalid(field) => ApiError::field(field.field, field.message),
            PaymentsError::ReferenceConflict { .. } => {
                ApiError::new(StatusCode::CONFLICT, "reference_id_conflict", error.to_string())
            }
            PaymentsError::Form(app::server::gateway::forms::FormError::NoFormForCurrency(currency)) => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "currency_not_enabled",
                message: format!("The gateway account has no hosted payment form for {currency}."),
                field: Some("currency".into()),
            },
            PaymentsError::Form(_) | PaymentsError::Gateway(_) | PaymentsError::UntrustedIframeOrigin(_) => {
                tracing::error!(%error, "gateway problem during a merchant API call");
                ApiError::new(StatusCode::BAD_GATEWAY, "gateway_unavailable", "The payment gateway could not be reached. Try again shortly.")
            }
            PaymentsError::Store(_) => {
                tracing::error!(%error, "storage problem during a merchant API call");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "paydesk could not complete the request.")
            }
            PaymentsError::InvalidLink => ApiError::new(StatusCode::NOT_FOUND, "not_found", "No refund link has this id."),
            PaymentsError::Refused(refusal) => {
                let status = match refusal.code {
                    "operation_in_progress" | "already_captured" | "already_voided" | "partially_refunded" => StatusCode::CONFLICT,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                ApiError::new(status, refusal.code, refusal.message)
            }
            PaymentsError::GatewayRejected(message) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "gateway_rejected", message),
            PaymentsError::IdempotencyConflict => ApiError::new(StatusCode::CONFLICT, "idempotency_conflict", error.to_string()),
        }
    }
}

/// The merchant API routes, behind the bearer token.
/// The merchant API routes, built from the same table as the OpenAPI document, each behind a token
/// with the scope it needs (any scope may read). `GET /api/v1/openapi.json` is public.
pub fn merchant_api(state: AppState) -> Router {
    let mut api = Router::new();
    for scope in Scope::ALL {
        let mut group = Router::new();
        for endpoint in endpoints().into_iter().filter(|e| e.scope == scope) {
            let path = endpoint.path.strip_prefix(API_PREFIX).unwrap_or(endpoint.path);
            group = group.route(path, (endpoint.handler)().fallback(method_not_allowed));
        }
        api = api.merge(guarded(group, scope, &state));
    }
    let api = api
        .route("/openapi.json", get(openapi_document))
        .fallback(api_not_found)
        .layer(axum::middleware::from_fn(json_errors))
        .with_state(state);
    Router::new().nest(API_PREFIX, api)
}

/// The last guard of "every API error is JSON with a stable code": an error answer from below our
/// handlers (a body over the size limit, say) is rewritten in the API's error shape.
async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
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

/// Every merchant API path starts with this.
pub const API_PREFIX: &str = "/api/v1";

/// Unknown paths under the API answer JSON too, with a stable code.
async fn api_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "No API endpoint has this path; see /api/v1/openapi.json.")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "This endpoint does not take this HTTP method; see /api/v1/openapi.json.")
}

async fn openapi_document(State(state): State<AppState>) -> Response {
    Json(crate::openapi::document(&endpoints(), &state.config.public_url)).into_response()
}

fn guarded(routes: Router<AppState>, scope: Scope, state: &AppState) -> Router<AppState> {
    let store = state.store.clone();
    routes.route_layer(axum::middleware::from_fn(move |request: Request, next: Next| {
        let store = store.clone();
        async move { require_scope(&store, scope, request, next).await }
    }))
}

/// Admits a request whose bearer token is active and has `scope`. Tokens are looked up by their
/// SHA-256 hash: the database never holds one, and the comparison leaks nothing usable.
async fn require_scope(store: &Store, scope: Scope, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(presented) = presented else {
        return ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "Send an API token as 'Authorization: Bearer <token>'.").into_response();
    };
    let token = match store.active_token(&api_tokens::hash(presented)).await {
        Ok(Some(token)) => token,
        Ok(None) => {
            return ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "The API token is not valid or has been revoked.").into_response()
        }
        Err(error) => return ApiError::internal(error).into_response(),
    };
    if !api_tokens::allows(&token.scopes, scope) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            format!("This API token lacks the '{}' scope (it has: {}).", scope.as_str(), token.scopes),
        )
        .into_response();
    }
    // Record use at most once a minute: no database write on every request.
    let now = now_ms();
    if token.last_used_at.is_none_or(|at| now - at >= 60_000) {
        if let Err(error) = store.touch_token(&token.id, now).await {
            tracing::warn!(%error, "could not record token use");
        }
    }
    next.run(request).await
}

/// Decodes a JSON body, naming the offending field in the error.
fn decode<T: serde::de::DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the request body as JSON with 'Content-Type: application/json'.",
        ));
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let message = inner.to_string();
        let named = |marker: &str| {
            message
                .split_once(marker)
                .and_then(|(_, rest)| rest.split('`').next())
                .map(str::to_string)
        };
        let field = if path != "." {
            Some(path)
        } else {
            named("unknown field `").or_else(|| named("missing field `"))
        };
        match field {
            Some(field) if inner.is_data() => ApiError::field(field.clone(), format!("{field}: {message}")),
            _ => ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", format!("The body is not valid JSON: {message}")),
        }
    })
}

pub(crate) async fn create(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let request: NewCheckout = decode(&headers, &body)?;
    let (checkout, created) = create_checkout(&state, request).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(checkout)).into_response())
}

pub(crate) async fn show(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    Ok(Json(get_checkout(&state, &id).await?).into_response())
}

/// Decodes an optional JSON body: an empty body is the default request.
fn decode_optional<T: serde::de::DeserializeOwned + Default>(headers: &HeaderMap, body: &Bytes) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        decode(headers, body)
    }
}

/// The merchant's `Idempotency-Key`, if sent: a retried request with it returns the first answer.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else { return Ok(None) };
    match value.to_str() {
        Ok(key) if !key.trim().is_empty() && key.len() <= 255 => Ok(Some(key.trim().to_string())),
        _ => Err(ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_header",
            message: "Idempotency-Key must be 1 to 255 visible ASCII characters.".into(),
            field: Some("Idempotency-Key".into()),
        }),
    }
}

async fn operate(
    state: &AppState,
    id: &str,
    kind: OperationKind,
    headers: &HeaderMap,
    request: OperationRequest,
) -> Result<Response, ApiError> {
    let key = idempotency_key(headers)?;
    let result = perform(state, id, kind, request, key).await?;
    let status = match (result.created, result.operation.status.as_str()) {
        (false, _) => StatusCode::OK,
        (true, "pending" | "unknown") => StatusCode::ACCEPTED,
        (true, _) => StatusCode::CREATED,
    };
    Ok((status, Json(result)).into_response())
}

pub(crate) async fn capture(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let request: OperationRequest = decode_optional(&headers, &body)?;
    operate(&state, &id, OperationKind::Capture, &headers, request).await
}

pub(crate) async fn void(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let request: OperationRequest = decode_optional(&headers, &body)?;
    if request.amount.is_some() {
        return Err(ApiError::field("amount", "A void always cancels the whole remaining amount; send no amount."));
    }
    operate(&state, &id, OperationKind::Void, &headers, request).await
}

pub(crate) async fn refund(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let request: OperationRequest = decode_optional(&headers, &body)?;
    operate(&state, &id, OperationKind::Refund, &headers, request).await
}

/// Body of `POST /api/v1/checkouts/{id}/refund-link`.
#[derive(Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCardRefund {
    /// Minor units; default: everything still refundable.
    #[serde(default)]
    amount: Option<i64>,
    /// Link lifetime; default `PAYDESK_REFUND_LINK_TTL_SECS`.
    #[serde(default)]
    expires_in_seconds: Option<i64>,
}

pub(crate) async fn refund_to_new_card_link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: NewCardRefund = decode_optional(&headers, &body)?;
    let (link, created) = refund_to_new_card(&state, &id, request.amount, request.expires_in_seconds).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(link)).into_response())
}

pub(crate) async fn create_link(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let request: NewRefundLink = decode(&headers, &body)?;
    let (link, created) = create_refund_link(&state, request).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(link)).into_response())
}

pub(crate) async fn show_link(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    match get_refund_link(&state, &id).await {
        Err(PaymentsError::NotFound) => Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", "No refund link has this id.")),
        other => Ok(Json(other?).into_response()),
    }
}

/// `GET /healthz`: 200 when the database answers.
pub async fn health(State(state): State<AppState>) -> Response {
    if state.store.ping().await {
        Json(json!({ "status": "ok" })).into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "database unavailable" }))).into_response()
    }
}

/// Headers every response gets; pages set their own CSP, everything else gets a deny-all one.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"));
    response
}
