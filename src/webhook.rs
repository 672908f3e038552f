//! `POST /webhooks/gateway`: verifies the gateway's signature over the raw body, stores the event
//! (deduplicated by event id) and only then acknowledges it; applying it follows, and is retried later
//! if it fails.

use std::sync::Arc;

use app::server::gateway::signature::{verify, SIGNATURE_HEADER};
use app::server::gateway::wire::WebhookEnvelope;
use app::server::payments::apply_stored_event;
use app::server::store::{now_ms, EventInsert, WebhookEventRecord};
use app::server::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::settings::Secret;

/// State of the webhook route: the app plus the shared secret.
#[derive(Clone)]
pub struct WebhookState {
    pub app: AppState,
    pub secret: Arc<Secret>,
}

fn answer(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

pub async fn receive(State(state): State<WebhookState>, headers: HeaderMap, body: Bytes) -> Response {
    let signature = headers
        .get(SIGNATURE_HEADER)
        .or_else(|| headers.get("x-fsk-wh-signature"))
        .and_then(|v| v.to_str().ok());
    let Some(signature) = signature else {
        tracing::warn!("webhook without signature refused");
        return answer(StatusCode::UNAUTHORIZED, "missing signature");
    };
    if !verify(state.secret.expose().as_bytes(), &body, signature) {
        tracing::warn!("webhook with a bad signature refused");
        return answer(StatusCode::UNAUTHORIZED, "invalid signature");
    }
    let envelope: WebhookEnvelope = match serde_json::from_slice(&body) {
        Ok(envelope) => envelope,
        Err(error) => {
            tracing::error!(%error, "signed webhook without a readable event id; the gateway will retry");
            return answer(StatusCode::BAD_REQUEST, "unreadable event");
        }
    };
    let record = WebhookEventRecord {
        event_id: envelope.event.id.clone(),
        event_type: envelope.event.kind.clone(),
        event_timestamp: envelope.event.timestamp.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
        received_at: now_ms(),
        processed_at: None,
        outcome: None,
        apply_attempts: 0,
        last_error: None,
    };
    let inserted = match state.app.store.insert_webhook_event(&record).await {
        Ok(inserted) => inserted,
        Err(error) => {
            // Not stored: refuse, so the gateway delivers it again.
            tracing::error!(event = %record.event_id, %error, "could not store webhook event");
            return answer(StatusCode::SERVICE_UNAVAILABLE, "not stored; retry");
        }
    };
    if inserted == (EventInsert::Duplicate { processed: true }) {
        tracing::info!(event = %record.event_id, "duplicate webhook acknowledged");
        return (StatusCode::OK, Json(json!({}))).into_response();
    }
    match apply_stored_event(&state.app, &record).await {
        Ok(outcome) => {
            tracing::info!(event = %record.event_id, kind = %record.event_type, outcome = %outcome.label(), "webhook applied");
            if let Err(error) = state.app.store.mark_webhook_processed(&record.event_id, &outcome.label(), now_ms()).await {
                tracing::warn!(event = %record.event_id, %error, "webhook applied but not marked; it will be re-applied (idempotent)");
            }
        }
        Err(error) => {
            tracing::error!(event = %record.event_id, %error, "webhook stored but not applied yet; will retry");
            let _ = state.app.store.mark_webhook_failed(&record.event_id, &error.to_string()).await;
        }
    }
    // Stored durably: acknowledge, whatever applying it did.
    (StatusCode::OK, Json(json!({}))).into_response()
}
