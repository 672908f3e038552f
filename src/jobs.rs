//! paydesk's background work, one function per job. Each runs until the application stops.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use paydesk_core::merchant_events::delivery::Deliverer;
use paydesk_core::model::DeviceRefundReversal;
use paydesk_core::payments::{
    advance_device_refund, advance_device_refund_reversal, reapply_pending_events, reconcile_due,
    settle_open_gateway_refunds, take_over_stopped_work, DEVICE_REFUND_CLAIM_MS,
};
use paydesk_core::store::{now_ms, LEASE_TTL};
use paydesk_core::AppState;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How often device refunds under way are looked at (a finished step wakes the loop sooner).
const DEVICE_REFUNDS_EVERY: Duration = Duration::from_millis(500);
/// At most this many attempts, operations and links per reconciler pass (a bounded cadence).
const RECONCILE_BATCH: i64 = 50;
/// After the gateway said "too many requests", the reconciler waits this long.
const RATE_LIMIT_PAUSE: Duration = Duration::from_secs(30);
/// How often the reconciler takes over what instances that are gone left half-done (a gone
/// instance is known once its lease runs out).
const RECOVER_EVERY: Duration = LEASE_TTL;

/// The reconciler: every `interval` (and at once when work is queued) it looks up what is due at
/// Omni — unsettled attempts and operations, queued voids — and re-applies stored webhook events
/// that failed to apply; every [`RECOVER_EVERY`] it takes over the work of instances that are gone. A
/// rate-limited gateway pauses it.
pub fn spawn_reconciliation(
    state: AppState,
    interval: Duration,
    mut stopped: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Startup has just recovered; the next look is one period on.
        let mut recovered_at = tokio::time::Instant::now();
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = state.work.wait() => {}
                _ = stopped.wait_for(|stop| *stop) => break,
            }
            if recovered_at.elapsed() >= RECOVER_EVERY {
                recovered_at = tokio::time::Instant::now();
                if let Err(error) = take_over_stopped_work(&state).await {
                    tracing::warn!(%error, "could not take over the work of stopped instances");
                }
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
    })
}

/// Commerce Hub refunds due a look (answers that never came, links that expire), every
/// `interval`, in a loop of their own: a slow or unreachable Commerce Hub never delays the
/// settling of the other gateways' payments.
pub fn spawn_commercehub_refunds(
    state: AppState,
    interval: Duration,
    mut stopped: watch::Receiver<bool>,
) -> Option<JoinHandle<()>> {
    state.commercehub.as_ref()?;
    Some(tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = stopped.wait_for(|stop| *stop) => break,
            }
            report(
                "settled Commerce Hub refunds (answers looked up, links expired)",
                settle_open_gateway_refunds(&state).await,
            );
        }
    }))
}

/// Device refunds under way: each due one is sent (again, same key) or long-polled in its own task,
/// never two at once for one refund; a finished step wakes the loop so the next poll starts at once.
pub fn spawn_device_refunds(
    state: AppState,
    mut stopped: watch::Receiver<bool>,
) -> Option<JoinHandle<()>> {
    state.payroc.as_ref()?;
    Some(tokio::spawn(async move {
        let in_flight: Arc<Mutex<HashSet<String>>> = Arc::default();
        loop {
            let now = now_ms();
            match state
                .store
                .claim_due_device_refunds(now, 50, now + DEVICE_REFUND_CLAIM_MS)
                .await
            {
                Ok(due) => {
                    for record in due {
                        let fresh = in_flight
                            .lock()
                            .map(|mut set| set.insert(record.id.clone()))
                            .unwrap_or(false);
                        if !fresh {
                            continue;
                        }
                        let (state, in_flight) = (state.clone(), in_flight.clone());
                        tokio::spawn(async move {
                            let id = record.id.clone();
                            let reversing = record.reversal.reversal_status
                                == Some(DeviceRefundReversal::Reversing);
                            let step = if reversing {
                                advance_device_refund_reversal(&state, record).await
                            } else {
                                advance_device_refund(&state, record).await
                            };
                            if let Err(error) = step {
                                tracing::warn!(device_refund = %id, %error, "device refund step failed; will try again");
                            }
                            if let Ok(mut set) = in_flight.lock() {
                                set.remove(&id);
                            }
                            state.device_refunds.work.nudge();
                        });
                    }
                }
                Err(error) => tracing::warn!(%error, "could not read the device refunds under way"),
            }
            tokio::select! {
                _ = tokio::time::sleep(DEVICE_REFUNDS_EVERY) => {}
                _ = state.device_refunds.work.wait() => {}
                _ = stopped.wait_for(|stop| *stop) => break,
            }
        }
    }))
}

/// Delivers due merchant webhooks from the outbox (woken when events are added; else every
/// `PAYDESK_MERCHANT_WEBHOOK_POLL_MS`, which catches retries coming due).
pub fn spawn_merchant_webhooks(
    state: AppState,
    deliverer: Deliverer,
    stopped: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move { deliverer.run(&state.store, stopped).await })
}

fn report<E: std::fmt::Display>(what: &'static str, result: Result<usize, E>) {
    match result {
        Ok(0) => {}
        Ok(count) => tracing::info!(count, "{what}"),
        Err(error) => tracing::warn!(%error, "background job failed: {what}"),
    }
}
