//! `/api/v1/checkouts…`: create and read checkouts; capture, void and refund them; turn a declined
//! refund into a refund link to a different card.

use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use paydesk_core::model::{LinkKind, OperationKind, OperationState};
use paydesk_core::payments::{
    cancel_checkout, create_checkout, get_checkout, perform, refund_to_new_card, unlock_link,
    Actor, NewCheckout, OperationRequest,
};
use paydesk_core::AppState;

use super::body::{decode, decode_optional, idempotency_key};
use super::error::ApiError;
use super::scopes::Caller;

pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: NewCheckout = decode(&headers, &body)?;
    let (checkout, created) = create_checkout(&state, request).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(checkout)).into_response())
}

/// `POST /api/v1/checkouts/{id}/unlock`: lets new cards be tried on a link locked after repeated
/// declines. Unlocking an unlocked link changes nothing.
pub async fn unlock(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    unlock_link(
        &state,
        &id,
        LinkKind::Payment,
        &Actor::token(&caller.token_id),
    )
    .await?;
    Ok(Json(get_checkout(&state, &id).await?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(get_checkout(&state, &id).await?).into_response())
}

async fn operate(
    state: &AppState,
    caller: &Caller,
    id: &str,
    kind: OperationKind,
    headers: &HeaderMap,
    request: OperationRequest,
) -> Result<Response, ApiError> {
    let key = idempotency_key(headers)?;
    positive_amount(request.amount)?;
    let actor = Actor::token(&caller.token_id);
    let result = perform(state, id, kind, request, key, &actor).await?;
    let status = match (result.created, result.operation.status) {
        (false, _) => StatusCode::OK,
        (true, OperationState::Pending | OperationState::Unknown) => StatusCode::ACCEPTED,
        (true, _) => StatusCode::CREATED,
    };
    Ok((status, Json(result)).into_response())
}

/// An amount, when given, is at least one minor unit (none means the whole balance).
fn positive_amount(amount: Option<i64>) -> Result<(), ApiError> {
    match amount {
        Some(amount) if amount < 1 => Err(ApiError::field(
            "amount",
            format!("amount must be at least 1 (minor units), got {amount}; send no amount for the whole balance."),
        )),
        _ => Ok(()),
    }
}

pub async fn capture(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: OperationRequest = decode_optional(&headers, &body)?;
    operate(
        &state,
        &caller,
        &id,
        OperationKind::Capture,
        &headers,
        request,
    )
    .await
}

pub async fn void(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: OperationRequest = decode_optional(&headers, &body)?;
    if request.amount.is_some() {
        return Err(ApiError::field(
            "amount",
            "A void always cancels the whole remaining amount; send no amount.",
        ));
    }
    operate(&state, &caller, &id, OperationKind::Void, &headers, request).await
}

/// `POST /api/v1/checkouts/{id}/cancel`.
pub async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let canceled = cancel_checkout(&state, &id, &Actor::token(&caller.token_id)).await?;
    Ok(Json(canceled).into_response())
}

pub async fn refund(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: OperationRequest = decode_optional(&headers, &body)?;
    operate(
        &state,
        &caller,
        &id,
        OperationKind::Refund,
        &headers,
        request,
    )
    .await
}

/// Body of `POST /api/v1/checkouts/{id}/refund-link`.
#[derive(Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCardRefund {
    /// Minor units; default: everything still refundable.
    #[serde(default)]
    pub amount: Option<i64>,
    /// Link lifetime; default `PAYDESK_REFUND_LINK_TTL_SECS`.
    #[serde(default)]
    pub expires_in_seconds: Option<i64>,
}

pub async fn refund_to_new_card_link(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: NewCardRefund = decode_optional(&headers, &body)?;
    positive_amount(request.amount)?;
    let (link, created) = refund_to_new_card(
        &state,
        &id,
        request.amount,
        request.expires_in_seconds,
        &Actor::token(&caller.token_id),
    )
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(link)).into_response())
}
