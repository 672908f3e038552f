//! Gateway webhook ingest, the one path every event takes: store it (deduplicated by event id)
//! before it is acknowledged, apply it, and mark it applied — or failed, to be applied again by the
//! background pass, which goes through the same [`apply_and_mark`].

use super::apply::{apply_gateway_event, Applied};
use super::error::PaymentsError;
use crate::server::gateways::omni::wire::WebhookEnvelope;
use crate::server::store::{now_ms, EventInsert, StoreError, WebhookEventRecord};
use crate::server::AppState;

/// What ingesting a webhook did. Every variant means the event is stored: acknowledge it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ingested {
    /// Stored and applied.
    Applied(Applied),
    /// Seen and applied before.
    Duplicate,
    /// Stored; applying it failed and will be retried in the background.
    Deferred,
}

/// Why a webhook was not stored (the gateway must deliver it again).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("the body is not a gateway event: {0}")]
    Unreadable(String),
    #[error("the event could not be stored: {0}")]
    NotStored(#[from] StoreError),
}

/// Stores, deduplicates and applies one verified webhook body.
#[tracing::instrument(skip_all, fields(event))]
pub async fn ingest_webhook(state: &AppState, body: &[u8]) -> Result<Ingested, IngestError> {
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
    if state.store.insert_webhook_event(&record).await?
        == (EventInsert::Duplicate { processed: true })
    {
        tracing::info!("duplicate webhook acknowledged");
        return Ok(Ingested::Duplicate);
    }
    Ok(match apply_and_mark(state, &record).await {
        Some(applied) => Ingested::Applied(applied),
        None => Ingested::Deferred,
    })
}

/// Re-applies stored events whose application failed earlier (e.g. the database was busy). Returns
/// how many were applied.
pub async fn reapply_pending_events(state: &AppState) -> Result<usize, PaymentsError> {
    let mut applied = 0;
    let now = now_ms();
    for event in state
        .store
        .claim_unprocessed_webhook_events(now, 100, now + super::schedule::CLAIM_MS)
        .await?
    {
        if apply_and_mark(state, &event).await.is_some() {
            applied += 1;
        }
    }
    Ok(applied)
}

/// Failed applications of one event before it is given up (about eight hours of tries).
pub const MAX_APPLY_ATTEMPTS: i64 = 20;

/// The wait before trying a stored event again after `failures` failed applications: one second,
/// doubling, at most an hour; `None` once it has failed [`MAX_APPLY_ATTEMPTS`] times.
pub fn reapply_after(failures: i64) -> Option<std::time::Duration> {
    if failures >= MAX_APPLY_ATTEMPTS {
        return None;
    }
    let doubled = 1u64 << (failures.clamp(1, 13) - 1);
    Some(std::time::Duration::from_secs(doubled.min(3600)))
}

/// Applies a stored event and records the result on it. `None` when it could not be applied (it
/// stays unprocessed, with the error, for the next pass). A failed bookkeeping write is logged,
/// never fatal: applying again is idempotent.
async fn apply_and_mark(state: &AppState, event: &WebhookEventRecord) -> Option<Applied> {
    match apply_gateway_event(state, event).await {
        Ok(applied) => {
            tracing::info!(event = %event.event_id, kind = %event.event_type, outcome = %applied.label(), "webhook applied");
            if let Err(error) = state
                .store
                .mark_webhook_processed(&event.event_id, &applied.label(), now_ms())
                .await
            {
                tracing::warn!(event = %event.event_id, %error, "webhook applied but not marked; it will be applied again (idempotent)");
            }
            Some(applied)
        }
        Err(error) => {
            let now = now_ms();
            let next =
                reapply_after(event.apply_attempts + 1).map(|wait| now + wait.as_millis() as i64);
            match next {
                Some(_) => {
                    tracing::error!(event = %event.event_id, %error, "webhook stored but not applied yet; will retry")
                }
                None => {
                    tracing::error!(event = %event.event_id, %error, attempts = event.apply_attempts + 1,
                    "webhook given up after repeated failures: lookups still settle what it described; look at the error")
                }
            }
            if let Err(mark_error) = state
                .store
                .mark_webhook_failed(&event.event_id, &error.to_string(), next, now)
                .await
            {
                tracing::warn!(event = %event.event_id, error = %mark_error, "could not record the failure");
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_failing_event_waits_longer_each_time_then_is_given_up() {
        assert_eq!(reapply_after(1), Some(Duration::from_secs(1)));
        assert_eq!(reapply_after(2), Some(Duration::from_secs(2)));
        assert_eq!(reapply_after(12), Some(Duration::from_secs(2048)));
        assert_eq!(reapply_after(13), Some(Duration::from_secs(3600)));
        assert_eq!(
            reapply_after(MAX_APPLY_ATTEMPTS - 1),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(reapply_after(MAX_APPLY_ATTEMPTS), None);
    }
}
