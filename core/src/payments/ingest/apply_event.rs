//! Applies one stored gateway event and records the result on it: applied, or failed with the time
//! of its next try (backing off, given up after many).

use crate::payments::steps::apply::{apply_gateway_event, Applied};
use crate::store::{now_ms, WebhookEventRecord};
use crate::AppState;

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
pub(in crate::payments) async fn apply_and_mark(
    state: &AppState,
    event: &WebhookEventRecord,
) -> Option<Applied> {
    let applied = apply_noting_failure(state, event).await?;
    mark_applied(state, &[(event.event_id.clone(), applied.label())]).await;
    Some(applied)
}

/// Records events applied (id, outcome) in one write. A failed write is logged, never fatal:
/// they stay claimed, then are applied again (idempotent).
pub(in crate::payments) async fn mark_applied(state: &AppState, applied: &[(String, String)]) {
    if let Err(error) = state.store.mark_webhooks_processed(applied, now_ms()).await {
        tracing::warn!(%error, events = applied.len(), "webhooks applied but not marked; they will be applied again (idempotent)");
    }
}

/// Applies a stored event; on failure records the error and the time of its next try on it.
/// `None` when it could not be applied.
pub(in crate::payments) async fn apply_noting_failure(
    state: &AppState,
    event: &WebhookEventRecord,
) -> Option<Applied> {
    match apply_gateway_event(state, event).await {
        Ok(applied) => {
            tracing::info!(event = %event.event_id, kind = %event.event_type, outcome = %applied.label(), "webhook applied");
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
