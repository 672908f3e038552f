//! `/api/v1/device-refunds…` and `/api/v1/devices`: refunds on a payment device (Payroc Cloud),
//! their long poll, their cancel, and the devices to send them to.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use paydesk_core::payments::{
    cancel_device_refund, create_device_refund, list_devices, reverse_device_refund,
    wait_for_device_refund, Actor, Device, NewDeviceRefund, PaymentsError, Payout,
};
use paydesk_core::AppState;
use serde::{Deserialize, Serialize};

use super::body::{decode, idempotency_key};
use super::error::ApiError;
use super::scopes::Caller;

/// The longest `?wait=` a caller may ask for (Payroc holds a poll up to a minute too).
const MAX_WAIT_SECS: u64 = 60;

fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "No device refund has this id.",
    )
}

fn or_not_found(error: PaymentsError) -> ApiError {
    match error {
        PaymentsError::NotFound => not_found(),
        other => other.into(),
    }
}

/// `POST /api/v1/device-refunds`: 202 with the refund as it stands (the device shows it while it
/// waits for the card) — or, above the approval threshold without `checkoutId`, 202 with the
/// `payout_approval` a second staff member decides on. An `Idempotency-Key` makes a retry return
/// the same refund (200).
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: NewDeviceRefund = decode(&headers, &body)?;
    let key = idempotency_key(&headers)?;
    match create_device_refund(&state, request, key, &Actor::token(&caller.token_id)).await? {
        Payout::Created(refund, true) => Ok((StatusCode::ACCEPTED, Json(refund)).into_response()),
        Payout::Created(refund, false) => Ok((StatusCode::OK, Json(refund)).into_response()),
        Payout::AwaitingApproval(approval) => {
            Ok((StatusCode::ACCEPTED, Json(approval)).into_response())
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitQuery {
    wait: Option<u64>,
}

/// `GET /api/v1/device-refunds/{id}[?wait=N]`: with `wait`, answers when the status changes or after
/// N seconds (at most 60), whichever comes first.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<WaitQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    let wait = query.wait.unwrap_or(0);
    if wait > MAX_WAIT_SECS {
        return Err(ApiError::field(
            "wait",
            "wait must be between 0 and 60 seconds.",
        ));
    }
    let refund = wait_for_device_refund(&state, &id, Duration::from_secs(wait), None)
        .await
        .map_err(or_not_found)?;
    Ok(Json(refund).into_response())
}

/// `POST /api/v1/device-refunds/{id}/cancel`: only while the device waits for the card.
pub async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let refund = cancel_device_refund(&state, &id, &Actor::token(&caller.token_id))
        .await
        .map_err(or_not_found)?;
    Ok(Json(refund).into_response())
}

/// `POST /api/v1/device-refunds/{id}/reverse`: takes a completed refund out of Payroc's open batch.
pub async fn reverse(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let refund = reverse_device_refund(&state, &id, &Actor::token(&caller.token_id))
        .await
        .map_err(or_not_found)?;
    Ok(Json(refund).into_response())
}

/// The devices refunds can be sent to.
#[derive(Serialize, schemars::JsonSchema)]
pub struct DeviceList {
    /// Always `list`.
    object: String,
    /// Every payment device of the account, in Payroc's order.
    data: Vec<Device>,
}

/// `GET /api/v1/devices`.
pub async fn devices(State(state): State<AppState>) -> Result<Response, ApiError> {
    let data = list_devices(&state).await?;
    Ok(Json(DeviceList {
        object: "list".into(),
        data,
    })
    .into_response())
}
