//! The merchant API's view of paydesk's own webhook events: list them (e.g. the failed ones) and
//! redeliver one, with the same id and body, after the endpoint is fixed.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use paydesk_core::payments::named_string_enum;
use paydesk_core::store::{iso8601, now_ms, MerchantEventRecord};
use paydesk_core::AppState;
use serde::{Deserialize, Serialize};

use super::error::ApiError;

/// A merchant event and its delivery state.
#[derive(Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventResource {
    /// `evt_…`, the same on every delivery: deduplicate on it.
    id: String,
    /// Always `event`.
    object: String,
    /// The event's type, e.g. `payment.authorized`.
    #[serde(rename = "type")]
    kind: String,
    /// `pending`, `delivered` or `failed`.
    #[schemars(schema_with = "event_status_schema")]
    status: String,
    /// How many deliveries were tried.
    attempts: i64,
    /// When it happened (RFC 3339).
    created_at: String,
    /// When the next delivery is due; null once delivered or given up.
    next_attempt_at: Option<String>,
    /// When your endpoint answered 2xx; null until then.
    delivered_at: Option<String>,
    /// What the last failed delivery met (a status or an error), if any.
    last_error: Option<String>,
    /// The exact body delivered.
    payload: serde_json::Value,
}

/// The values of an event's `status`, as `EventDeliveryStatus`.
pub const EVENT_STATUSES: [&str; 3] = ["pending", "delivered", "failed"];

fn event_status_schema(generator: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
    named_string_enum(
        generator,
        "EventDeliveryStatus",
        "`pending` (being delivered or waiting for a retry), `delivered` (your endpoint answered 2xx) or `failed` (the attempts ran out: redeliver it once your endpoint is fixed).",
        &EVENT_STATUSES,
    )
}

/// A page of events.
#[derive(Serialize, schemars::JsonSchema)]
pub struct EventList {
    /// Always `list`.
    object: String,
    /// The events, newest first.
    data: Vec<EventResource>,
}

impl From<MerchantEventRecord> for EventResource {
    fn from(e: MerchantEventRecord) -> Self {
        EventResource {
            object: "event".into(),
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
pub struct ListQuery {
    status: Option<String>,
    limit: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    if let Some(status) = query.status.as_deref() {
        if !matches!(status, "pending" | "delivered" | "failed") {
            return Err(ApiError::field(
                "status",
                "status must be pending, delivered or failed.",
            ));
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
    Ok(Json(EventList {
        object: "list".into(),
        data,
    })
    .into_response())
}

fn no_such_event() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "No event has this id.")
}

/// The event `id` as the API shows it.
async fn event(state: &AppState, id: &str) -> Result<EventResource, ApiError> {
    let event = state
        .store
        .merchant_event(id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(no_such_event)?;
    Ok(EventResource::from(event))
}

/// `GET /api/v1/events/{id}`: one event and its delivery state.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(event(&state, &id).await?).into_response())
}

pub async fn redeliver(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    if !state
        .store
        .redeliver_merchant_event(&id, now_ms())
        .await
        .map_err(ApiError::internal)?
    {
        return Err(no_such_event());
    }
    let event = event(&state, &id).await?;
    tracing::info!(event = %id, "merchant webhook queued for redelivery");
    Ok((StatusCode::ACCEPTED, Json(event)).into_response())
}
