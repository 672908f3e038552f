//! Gateway webhooks in bulk: concurrent deliveries are stored together — one transaction, so one
//! fsync, for every delivery that arrived while the previous batch was being written — and each is
//! answered only once its own row is durable. A delivery that arrives alone is applied before it is
//! answered; under load, stored events are applied off the request path by workers that claim them
//! from the database (applying is idempotent and order-safe; nothing waits in memory, so a crash
//! loses nothing and a burst never fills a queue).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Notify};

use super::apply::Applied;
use super::apply_event::apply_and_mark;
use super::schedule::CLAIM_MS;
use crate::server::store::{now_ms, EventInsert, Store, StoreError, WebhookEventRecord};
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
    /// Stored; applied in the background in a moment (many deliveries were arriving at once).
    Queued,
}

/// Deliveries stored in one transaction at most.
const MAX_BATCH: usize = 256;
/// Background workers applying stored events.
const APPLY_WORKERS: usize = 2;
/// Stored events a worker claims at once.
const CLAIM_BATCH: i64 = 64;
/// How long a worker lets deliveries being stored go first, per event it applies.
const YIELD_AT_MOST: std::time::Duration = std::time::Duration::from_millis(50);

/// Where the webhook endpoint hands verified events. Cloning shares it; its tasks end when the last
/// clone is dropped.
#[derive(Clone, Debug)]
pub struct WebhookInbox {
    to_store: mpsc::Sender<Delivery>,
    /// Deliveries being handled now (stored or applied).
    in_flight: Arc<AtomicUsize>,
    /// Wakes the workers: events wait in the database.
    waiting: Arc<Notify>,
    _workers: Arc<Workers>,
}

/// Stops the workers when the last inbox is dropped.
#[derive(Debug)]
struct Workers(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Workers {
    fn drop(&mut self) {
        for worker in &self.0 {
            worker.abort();
        }
    }
}

#[derive(Debug)]
struct Delivery {
    event: WebhookEventRecord,
    stored: oneshot::Sender<Result<EventInsert, StoreError>>,
}

impl WebhookInbox {
    /// Starts the writer and the workers.
    pub fn start(state: &AppState) -> WebhookInbox {
        let (to_store, deliveries) = mpsc::channel(MAX_BATCH * 4);
        tokio::spawn(write_batches(state.store.clone(), deliveries));
        let waiting = Arc::new(Notify::new());
        let in_flight = Arc::new(AtomicUsize::new(0));
        let workers = (0..APPLY_WORKERS)
            .map(|_| {
                tokio::spawn(apply_stored(
                    state.clone(),
                    waiting.clone(),
                    in_flight.clone(),
                ))
            })
            .collect();
        WebhookInbox {
            to_store,
            in_flight,
            waiting,
            _workers: Arc::new(Workers(workers)),
        }
    }

    /// Stores `event` durably (with others that arrive meanwhile), unless its id is known, then
    /// applies it: now when it is the only delivery being handled, else through the workers.
    pub(super) async fn ingest(
        &self,
        state: &AppState,
        event: WebhookEventRecord,
    ) -> Result<Ingested, StoreError> {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let _done = InFlight(&self.in_flight);
        let (stored, answer) = oneshot::channel();
        self.to_store
            .send(Delivery {
                event: event.clone(),
                stored,
            })
            .await
            .map_err(|_| StoreError::Stopping)?;
        if answer.await.map_err(|_| StoreError::Stopping)??
            == (EventInsert::Duplicate { processed: true })
        {
            return Ok(Ingested::Duplicate);
        }
        if self.in_flight.load(Ordering::SeqCst) > 1 {
            self.waiting.notify_one();
            return Ok(Ingested::Queued);
        }
        Ok(match apply_and_mark(state, &event).await {
            Some(applied) => Ingested::Applied(applied),
            None => Ingested::Deferred,
        })
    }
}

/// Counts a delivery out when its handling ends, however it ends.
struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Stores deliveries in batches: whatever is waiting when the previous commit ends goes into the
/// next one. A batch that fails is stored again one delivery at a time, so one bad row fails alone.
async fn write_batches(store: Store, mut deliveries: mpsc::Receiver<Delivery>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while deliveries.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let events: Vec<WebhookEventRecord> = batch.iter().map(|d| d.event.clone()).collect();
        match store.insert_webhook_events(&events).await {
            Ok(answers) => {
                for (delivery, answer) in batch.drain(..).zip(answers) {
                    let _ = delivery.stored.send(Ok(answer));
                }
            }
            Err(error) => {
                tracing::warn!(%error, deliveries = batch.len(), "storing webhooks together failed; storing them one by one");
                for delivery in batch.drain(..) {
                    let answer = store
                        .insert_webhook_events(std::slice::from_ref(&delivery.event))
                        .await
                        .and_then(|mut answers| {
                            answers.pop().ok_or_else(|| {
                                StoreError::Corrupt("no answer for a stored webhook".into())
                            })
                        });
                    let _ = delivery.stored.send(answer);
                }
            }
        }
    }
}

/// A worker: when woken, claims stored events that wait (a batch at a time, until none is left)
/// and applies them. The claim keeps other workers, the re-apply pass and other instances off them.
/// Acknowledging comes first: while deliveries are being stored, a worker lets them have the
/// database (the gateway is waiting for those answers), for at most [`YIELD_AT_MOST`] per event.
async fn apply_stored(state: AppState, waiting: Arc<Notify>, in_flight: Arc<AtomicUsize>) {
    loop {
        waiting.notified().await;
        loop {
            let now = now_ms();
            let claimed = match state
                .store
                .claim_unprocessed_webhook_events(now, CLAIM_BATCH, now + CLAIM_MS)
                .await
            {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::warn!(%error, "could not claim stored webhooks; the re-apply pass will");
                    break;
                }
            };
            if claimed.is_empty() {
                break;
            }
            for event in &claimed {
                let yielding = tokio::time::Instant::now();
                while in_flight.load(Ordering::SeqCst) > 0 && yielding.elapsed() < YIELD_AT_MOST {
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                }
                apply_and_mark(&state, event).await;
            }
        }
    }
}
