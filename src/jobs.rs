//! paydesk's background work, one function per job. Each runs until the application stops.

use std::time::Duration;

use app::server::merchant_events::delivery::Deliverer;
use app::server::payments::{
    dispatch_queued_operations, reapply_pending_events, settle_unknown_operations,
};
use app::server::AppState;
use tokio::sync::watch;

/// How often reconciliation runs when nothing wakes it earlier.
const RECONCILE_EVERY: Duration = Duration::from_secs(30);
/// How often due merchant webhooks are looked for.
const DELIVER_EVERY: Duration = Duration::from_millis(250);

/// Re-applies stored webhook events that failed, sends queued operations (automatic voids) and
/// settles operations whose outcome is unknown: every 30 seconds, and at once when work is queued.
pub fn spawn_reconciliation(state: AppState, mut stopped: watch::Receiver<bool>) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(RECONCILE_EVERY);
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = state.work.wait() => {}
                _ = stopped.changed() => break,
            }
            report(
                "re-applied stored webhook events",
                reapply_pending_events(&state).await,
            );
            report(
                "sent queued operations",
                dispatch_queued_operations(&state).await,
            );
            report(
                "settled operations whose outcome was unknown",
                settle_unknown_operations(&state).await,
            );
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
                _ = stopped.changed() => break,
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
