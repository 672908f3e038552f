//! `POST /webhooks/gateway`: checks the gateway's signature over the raw body and answers with the
//! status the gateway acts on. Storing, deduplicating and applying the event is the payments core's
//! `ingest_webhook`; a 2xx is sent only once the event is stored.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use paydesk_core::gateways::omni::signature::{verify, SIGNATURE_HEADER};
use paydesk_core::measures;
use paydesk_core::payments::{ingest_webhook, IngestError, Ingested, WebhookInbox};
use paydesk_core::AppState;
use serde_json::json;

use secrecy::{ExposeSecret, SecretString};

/// State of the webhook route: the app plus the shared secrets (the current one, and while it is
/// rolled the one before it).
#[derive(Clone)]
pub struct WebhookState {
    pub app: AppState,
    pub secrets: Arc<[SecretString]>,
    /// Stores deliveries together (group commit) and applies them.
    pub inbox: WebhookInbox,
}

fn answer(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

pub async fn receive(
    State(state): State<WebhookState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let signature = headers
        .get(SIGNATURE_HEADER)
        .or_else(|| headers.get("x-fsk-wh-signature"))
        .and_then(|v| v.to_str().ok());
    let Some(signature) = signature else {
        tracing::warn!("webhook without signature refused");
        measures::webhook_received("bad_signature");
        return answer(StatusCode::UNAUTHORIZED, "missing signature");
    };
    let signed = state
        .secrets
        .iter()
        .any(|secret| verify(secret.expose_secret().as_bytes(), &body, signature));
    if !signed {
        tracing::warn!("webhook with a bad signature refused");
        measures::webhook_received("bad_signature");
        return answer(StatusCode::UNAUTHORIZED, "invalid signature");
    }
    match ingest_webhook(&state.app, &state.inbox, &body).await {
        // Stored durably: acknowledge, whatever applying it did.
        Ok(ingested) => {
            measures::webhook_received(match ingested {
                Ingested::Applied(_) => "applied",
                Ingested::Duplicate => "duplicate",
                Ingested::Deferred => "deferred",
                Ingested::Queued => "queued",
            });
            (StatusCode::OK, Json(json!({}))).into_response()
        }
        Err(IngestError::Unreadable(error)) => {
            tracing::error!(%error, "signed webhook without a readable event id; the gateway will retry");
            measures::webhook_received("unreadable");
            answer(StatusCode::BAD_REQUEST, "unreadable event")
        }
        Err(IngestError::NotStored(error)) => {
            // Not stored: refuse, so the gateway delivers it again.
            tracing::error!(%error, "could not store webhook event");
            measures::webhook_received("not_stored");
            answer(StatusCode::SERVICE_UNAVAILABLE, "not stored; retry")
        }
    }
}
