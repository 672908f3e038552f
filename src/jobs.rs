//! paydesk's background work, one function per job. Each runs until the application stops.

use std::time::Duration;

use app::server::merchant_events::delivery::Deliverer;
use app::server::payments::{reapply_pending_events, reconcile_due};
use app::server::AppState;
use tokio::sync::watch;

/// How often due merchant webhooks are looked for.
const DELIVER_EVERY: Duration = Duration::from_millis(250);
/// At most this many attempts, operations and links per reconciler pass (a bounded cadence).
const RECONCILE_BATCH: i64 = 50;
/// After the gateway said "too many requests", the reconciler waits this long.
const RATE_LIMIT_PAUSE: Duration = Duration::from_secs(30);

/// The reconciler: every `interval` (and at once when work is queued) it looks up what is due —
/// unsettled attempts and operations, queued voids — and re-applies stored webhook events that
/// failed to apply. A rate-limited gateway pauses it.
pub fn spawn_reconciliation(
    state: AppState,
    interval: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = state.work.wait() => {}
                _ = stopped.wait_for(|stop| *stop) => break,
            }
            report(
                "re-applied stored webhook events",
                reapply_pending_events(&state).await,
            );
            match reconcile_due(&state, RECONCILE_BATCH).await {
                Ok(pass) if pass.rate_limited => {
                    tokio::select! {
                        _ = tokio::time::sleep(RATE_LIMIT_PAUSE) => {}
                        _ = stopped.wait_for(|stop| *stop) => break,
                    }
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "reconciler pass failed"),
            }
        }
    });
}

/// Delivers due merchant webhooks from the outbox.
pub fn spawn_merchant_webhooks(
    state: AppState,
    deliverer: Deliverer,
    mut stopped: watch::Receiver<bool>,
) {
    tokio::spawn(async move {
        loop {
            if let Err(error) = deliverer.deliver_due(&state.store).await {
                tracing::warn!(%error, "merchant webhook delivery pass failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(DELIVER_EVERY) => {}
                _ = stopped.wait_for(|stop| *stop) => break,
            }
        }
    });
}

fn report<E: std::fmt::Display>(what: &'static str, result: Result<usize, E>) {
    match result {
        Ok(0) => {}
        Ok(count) => tracing::info!(count, "{what}"),
        Err(error) => tracing::warn!(%error, "background job failed: {what}"),
    }
}
