//! The merchant API's view of paydesk's own webhook events: list them (e.g. the failed ones) and
//! redeliver one, with the same id and body, after the endpoint is fixed.

use app::server::store::{iso8601, now_ms, MerchantEventRecord};
use app::server::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::routes::ApiError;

/// Listing events (read scope).
pub fn read_routes() -> Router<AppState> {
    Router::new().route("/api/v1/webhook-events", get(list))
}

/// Redelivering an event (payments scope).
pub fn write_routes() -> Router<AppState> {
    Router::new().route("/api/v1/webhook-events/{id}/redeliver", post(redeliver))
}

/// A merchant event and its delivery state.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventResource {
    id: String,
    object: &'static str,
    #[serde(rename = "type")]
    kind: String,
    /// `pending`, `delivered` or `failed`.
    status: String,
    attempts: i64,
    created_at: String,
    next_attempt_at: Option<String>,
    delivered_at: Option<String>,
    last_error: Option<String>,
    /// The exact body delivered.
    payload: serde_json::Value,
}

impl From<MerchantEventRecord> for EventResource {
    fn from(e: MerchantEventRecord) -> Self {
        EventResource {
            object: "event",
            kind: e.event_type,
            next_attempt_at: (e.status == "pending").then(|| iso8601(e.next_attempt_at)),
            delivered_at: e.delivered_at.map(iso8601),
            created_at: iso8601(e.created_at),
            payload: serde_json::from_str(&e.payload).unwrap_or_default(),
            id: e.id,
            status: e.status,
            attempts: e.attempts,
            last_error: e.last_error,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    status: Option<String>,
    limit: Option<i64>,
}

async fn list(State(state): State<AppState>, query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    if let Some(status) = query.status.as_deref() {
        if !matches!(status, "pending" | "delivered" | "failed") {
            return Err(ApiError::field("status", "status must be pending, delivered or failed."));
        }
    }
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::field("limit", "limit must be between 1 and 200."));
    }
    let events = state
        .store
        .merchant_events(query.status.as_deref(), limit)
        .await
        .map_err(ApiError::internal)?;
    let data: Vec<EventResource> = events.into_iter().map(EventResource::from).collect();
    Ok(Json(serde_json::json!({ "object": "list", "data": data })).into_response())
}

async fn redeliver(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    if !state.store.redeliver_merchant_event(&id, now_ms()).await.map_err(ApiError::internal)? {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", "No event has this id."));
    }
    let event = state.store.merchant_event(&id).await.map_err(ApiError::internal)?;
    tracing::info!(event = %id, "merchant webhook queued for redelivery");
    Ok((StatusCode::ACCEPTED, Json(event.map(EventResource::from))).into_response())
}
