//! Gateway webhook ingest, the one path every event takes: store it (deduplicated by event id)
//! before it is acknowledged, apply it, and mark it applied — or failed, to be applied again by the
//! background pass, which goes through the same [`apply_and_mark`].

use crate::gateways::omni::wire::WebhookEnvelope;
use crate::payments::error::PaymentsError;
use crate::payments::ingest::apply_event::apply_and_mark;
use crate::payments::ingest::inbox::{Ingested, WebhookInbox};
use crate::store::{now_ms, StoreError, WebhookEventRecord};
use crate::AppState;

/// Why a webhook was not stored (the gateway must deliver it again).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("the body is not a gateway event: {0}")]
    Unreadable(String),
    #[error("the event could not be stored: {0}")]
    NotStored(#[from] StoreError),
}

/// Stores (with the deliveries arriving at the same moment, see [`WebhookInbox`]), deduplicates and
/// applies one verified webhook body.
#[tracing::instrument(skip_all, fields(event))]
pub async fn ingest_webhook(
    state: &AppState,
    inbox: &WebhookInbox,
    body: &[u8],
) -> Result<Ingested, IngestError> {
    let envelope: WebhookEnvelope =
        serde_json::from_slice(body).map_err(|e| IngestError::Unreadable(e.to_string()))?;
    tracing::Span::current().record("event", envelope.event.id.as_str());
    let record = WebhookEventRecord {
        event_id: envelope.event.id.clone(),
        event_type: envelope.event.kind.clone(),
        event_timestamp: envelope.event.timestamp.clone(),
        body: String::from_utf8_lossy(body).into_owned(),
        received_at: now_ms(),
        processed_at: None,
        outcome: None,
        apply_attempts: 0,
        last_error: None,
    };
    let ingested = inbox.ingest(state, record).await?;
    if ingested == Ingested::Duplicate {
        tracing::info!("duplicate webhook acknowledged");
    }
    Ok(ingested)
}

/// Re-applies stored events whose application failed earlier (e.g. the database was busy). Returns
/// how many were applied.
pub async fn reapply_pending_events(state: &AppState) -> Result<usize, PaymentsError> {
    let mut applied = 0;
    let now = now_ms();
    for event in state
        .store
        .claim_unprocessed_webhook_events(
            now,
            100,
            now + crate::payments::rules::schedule::CLAIM_MS,
        )
        .await?
    {
        if apply_and_mark(state, &event).await.is_some() {
            applied += 1;
        }
    }
    Ok(applied)
}
