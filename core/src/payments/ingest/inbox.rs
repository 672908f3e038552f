//! Gateway webhooks in bulk: concurrent deliveries are stored together — one transaction, so one
//! fsync, for every delivery that arrived while the previous batch was being written — and each is
//! answered only once its own row is durable. A delivery that arrives alone is applied before it is
//! answered; under load, stored events are applied off the request path by workers that claim them
//! from the database (applying is idempotent and order-safe; nothing waits in memory, so a crash
//! loses nothing and a burst never fills a queue).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Notify};

use crate::payments::ingest::apply_event::{apply_and_mark, apply_noting_failure, mark_applied};
use crate::payments::rules::schedule::CLAIM_MS;
use crate::payments::steps::apply::Applied;
use crate::store::{now_ms, EventInsert, Store, StoreError, WebhookEventRecord};
use crate::AppState;

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
const APPLY_WORKERS: usize = 4;
/// Stored events a worker claims at once.
const CLAIM_BATCH: i64 = 64;
/// How long a worker lets deliveries being stored go first, per batch it applies.
const YIELD_AT_MOST: std::time::Duration = std::time::Duration::from_millis(50);

/// Where the webhook endpoint hands verified events. Cloning shares it; its tasks end when the last
/// clone is dropped.
#[derive(Clone, Debug)]
pub struct WebhookInbox {
    to_store: mpsc::Sender<Delivery>,
    /// Deliveries being handled now (stored or applied).
    in_flight: Arc<InFlightCount>,
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
        let in_flight = Arc::new(InFlightCount::default());
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
    pub(in crate::payments) async fn ingest(
        &self,
        state: &AppState,
        event: WebhookEventRecord,
    ) -> Result<Ingested, StoreError> {
        let _done = self.in_flight.begin();
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
        if self.in_flight.now() > 1 {
            self.waiting.notify_one();
            return Ok(Ingested::Queued);
        }
        Ok(match apply_and_mark(state, &event).await {
            Some(applied) => Ingested::Applied(applied),
            None => Ingested::Deferred,
        })
    }
}

/// How many deliveries are being handled, and a wake-up for whoever waits until none is.
#[derive(Debug, Default)]
struct InFlightCount {
    count: AtomicUsize,
    idle: Notify,
}

impl InFlightCount {
    /// Counts a delivery in until the returned guard is dropped.
    fn begin(&self) -> InFlight<'_> {
        self.count.fetch_add(1, Ordering::SeqCst);
        InFlight(self)
    }

    fn now(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// Returns once no delivery is being handled, or after `at_most`.
    async fn until_idle(&self, at_most: std::time::Duration) {
        let deadline = tokio::time::Instant::now() + at_most;
        loop {
            let idle = self.idle.notified();
            tokio::pin!(idle);
            // Registered before the count is read: a delivery ending in between still wakes us.
            idle.as_mut().enable();
            if self.now() == 0 || tokio::time::timeout_at(deadline, idle).await.is_err() {
                return;
            }
        }
    }
}

/// Counts a delivery out when its handling ends, however it ends.
struct InFlight<'a>(&'a InFlightCount);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
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
/// database (the gateway is waiting for those answers), for at most [`YIELD_AT_MOST`] per batch.
async fn apply_stored(state: AppState, waiting: Arc<Notify>, in_flight: Arc<InFlightCount>) {
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
            // Deliveries being stored go first, once per batch (per event, a steady stream of
            // deliveries left the workers one event per wait: applying fell ever further behind).
            in_flight.until_idle(YIELD_AT_MOST).await;
            // Recorded together once the batch is applied: one write for the batch.
            let mut applied = Vec::with_capacity(claimed.len());
            for event in &claimed {
                if let Some(outcome) = apply_noting_failure(&state, event).await {
                    applied.push((event.event_id.clone(), outcome.label()));
                }
            }
            mark_applied(&state, &applied).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_worker_waits_for_deliveries_being_stored_and_no_longer() {
        let count = Arc::new(InFlightCount::default());
        // Nothing in flight: no wait.
        let started = tokio::time::Instant::now();
        count.until_idle(Duration::from_secs(5)).await;
        assert!(started.elapsed() < Duration::from_secs(1));

        // Two deliveries: the wait ends when the last one does, not at its limit.
        let (first, second) = (count.clone(), count.clone());
        let (end_first, first_ends) = oneshot::channel::<()>();
        let (end_second, second_ends) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _in = first.begin();
            let _ = first_ends.await;
        });
        tokio::spawn(async move {
            let _in = second.begin();
            let _ = second_ends.await;
        });
        while count.now() < 2 {
            tokio::task::yield_now().await;
        }
        let waiter = {
            let count = count.clone();
            tokio::spawn(async move { count.until_idle(Duration::from_secs(30)).await })
        };
        end_first.send(()).unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiter.is_finished(), "one delivery is still being stored");
        let started = tokio::time::Instant::now();
        end_second.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("woken when the last delivery ended")
            .unwrap();
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn a_worker_waits_at_most_its_limit() {
        let count = InFlightCount::default();
        let _busy = count.begin();
        let started = tokio::time::Instant::now();
        count.until_idle(Duration::from_millis(30)).await;
        assert!(started.elapsed() >= Duration::from_millis(30));
    }
}
