//! `/api/v1/refund-links…`: create, read, unlock and cancel refund links.

use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use paydesk_core::model::LinkKind;
use paydesk_core::payments::{
    cancel_refund_link, create_refund_link, get_payout_approval, get_refund_link, unlock_link,
    Actor, NewRefundLink, PaymentsError, Payout, RefundLinkResource,
};
use paydesk_core::permissions::Permission;
use paydesk_core::AppState;

use super::body::decode;
use super::error::ApiError;
use super::scopes::Caller;

pub async fn create_link(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: NewRefundLink = decode(&headers, &body)?;
    match create_refund_link(&state, request, &Actor::token(&caller.token_id)).await? {
        Payout::Created(link, true) => Ok((StatusCode::CREATED, Json(link)).into_response()),
        Payout::Created(link, false) => Ok((StatusCode::OK, Json(link)).into_response()),
        Payout::AwaitingApproval(approval) => {
            Ok((StatusCode::ACCEPTED, Json(approval)).into_response())
        }
    }
}

/// `GET /api/v1/payout-approvals/{id}`: a payout waiting for (or past) a second staff member's
/// decision; once approved, `resultId` names the refund link or device refund created.
pub async fn show_approval(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    match get_payout_approval(&state, &id).await {
        Err(PaymentsError::NotFound) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No payout approval has this id.",
        )),
        other => Ok(Json(other?).into_response()),
    }
}

/// `POST /api/v1/refund-links/{id}/unlock`: lets new cards be tried on a refund link locked after
/// repeated declines. Unlocking an unlocked link changes nothing.
pub async fn unlock(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    match unlock_link(
        &state,
        &id,
        LinkKind::Refund,
        &Actor::token(&caller.token_id),
    )
    .await
    {
        Err(PaymentsError::NotFound) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No refund link has this id.",
        )),
        other => {
            other?;
            Ok(Json(get_refund_link(&state, &id).await?).into_response())
        }
    }
}

/// `POST /api/v1/refund-links/{id}/cancel`: no new card form opens; the link ends `canceled` once
/// none it opened can be used. Canceling a canceled link answers it again.
pub async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    shown_to(
        &caller,
        cancel_refund_link(&state, &id, &Actor::token(&caller.token_id)).await,
    )
}

/// `GET /api/v1/refund-links/{id}`: any token may read a link's status; only a token that may
/// refund sees its payout URL (whoever opens it receives the money).
pub async fn show_link(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    shown_to(&caller, get_refund_link(&state, &id).await)
}

/// The link as `caller` may see it: its payout URL (whoever opens it receives the money) only to
/// a token that may refund.
fn shown_to(
    caller: &Caller,
    link: Result<RefundLinkResource, PaymentsError>,
) -> Result<Response, ApiError> {
    match link {
        Err(PaymentsError::NotFound) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No refund link has this id.",
        )),
        Ok(link) if !caller.may(Permission::SeePayoutLinks) => {
            Ok(Json(link.without_payout_url()).into_response())
        }
        other => Ok(Json(other?).into_response()),
    }
}
