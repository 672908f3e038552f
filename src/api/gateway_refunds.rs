//! `/api/v1/refunds…`: refunds of charges made on Commerce Hub. paydesk tries the original card; when
//! its account is closed, the refund carries a signed link for the customer's new card.

use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use paydesk_core::payments::{
    cancel_gateway_refund, create_gateway_refund, get_gateway_refund, unlock_gateway_refund, Actor,
    GatewayRefundResource, NewGatewayRefund, PaymentsError,
};
use paydesk_core::permissions::Permission;
use paydesk_core::AppState;

use super::body::decode;
use super::error::ApiError;
use super::scopes::Caller;

/// `POST /api/v1/refunds`: 201 with the refund as the first answer left it (`refunded`,
/// `declined`, `awaiting_card` with its `url`, `failed`, or `processing` while the answer is looked
/// up); 200 for a replay of the same `referenceId`.
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: NewGatewayRefund = decode(&headers, &body)?;
    let (refund, created) =
        create_gateway_refund(&state, request, &Actor::token(&caller.token_id)).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(refund)).into_response())
}

/// `GET /api/v1/refunds/{id}`: any token may read it; only a token that may refund sees the
/// customer's link (whoever opens it receives the money).
pub async fn show(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    shown_to(&caller, get_gateway_refund(&state, &id).await)
}

/// `POST /api/v1/refunds/{id}/unlock`: lets new cards be tried on a refund whose page locked after
/// repeated declined cards. Unlocking an unlocked refund changes nothing.
pub async fn unlock(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    match unlock_gateway_refund(&state, &id, &Actor::token(&caller.token_id)).await {
        Err(PaymentsError::NotFound) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No refund has this id.",
        )),
        other => {
            other?;
            Ok(Json(get_gateway_refund(&state, &id).await?).into_response())
        }
    }
}

/// `POST /api/v1/refunds/{id}/cancel`: ends a refund waiting for a new card at once (its link pays
/// nothing from then on). Canceling a canceled refund answers it again.
pub async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    shown_to(
        &caller,
        cancel_gateway_refund(&state, &id, &Actor::token(&caller.token_id)).await,
    )
}

/// The refund as `caller` may see it: its customer link (whoever opens it receives the money) only
/// to a token that may refund.
fn shown_to(
    caller: &Caller,
    refund: Result<GatewayRefundResource, PaymentsError>,
) -> Result<Response, ApiError> {
    match refund {
        Err(PaymentsError::NotFound) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No refund has this id.",
        )),
        Ok(refund) if !caller.may(Permission::SeePayoutLinks) => {
            Ok(Json(refund.without_url()).into_response())
        }
        other => Ok(Json(other?).into_response()),
    }
}
