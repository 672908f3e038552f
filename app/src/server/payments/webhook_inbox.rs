//! Gateway webhooks in bulk: concurrent deliveries are stored together — one transaction, so one
//! fsync, for every delivery that arrived while the previous batch was being written — and each is
//! answered only once its own row is durable. Stored events are then applied inline while there is
//! room, else by background workers (applying is idempotent and order-safe, and a stored event this
//! process never applies is the re-apply pass's).

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Mutex, Semaphore};

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
/// Deliveries applied before they are answered, at once (the rest are answered once stored).
const INLINE_APPLIES: usize = 2;
/// Background workers applying stored events.
const APPLY_WORKERS: usize = 2;
/// Stored events waiting for a worker, at most (beyond that, the re-apply pass takes them).
const APPLY_QUEUE: usize = 4096;

/// Where the webhook endpoint hands verified events. Cloning shares it; it stops (its tasks end)
/// when the last clone is dropped.
#[derive(Clone, Debug)]
pub struct WebhookInbox {
    store: Store,
    to_store: mpsc::Sender<Delivery>,
    to_apply: mpsc::Sender<WebhookEventRecord>,
    inline: Arc<Semaphore>,
}

#[derive(Debug)]
struct Delivery {
    event: WebhookEventRecord,
    stored: oneshot::Sender<Result<EventInsert, StoreError>>,
}

impl WebhookInbox {
    /// Starts the writer and the appliers.
    pub fn start(state: &AppState) -> WebhookInbox {
        let (to_store, deliveries) = mpsc::channel(MAX_BATCH * 4);
        tokio::spawn(write_batches(state.store.clone(), deliveries));
        let (to_apply, stored) = mpsc::channel(APPLY_QUEUE);
        let stored = Arc::new(Mutex::new(stored));
        for _ in 0..APPLY_WORKERS {
            tokio::spawn(apply_stored(state.clone(), stored.clone()));
        }
        WebhookInbox {
            store: state.store.clone(),
            to_store,
            to_apply,
            inline: Arc::new(Semaphore::new(INLINE_APPLIES)),
        }
    }

    /// Stores `event` durably (with others that arrive meanwhile), unless its id is known.
    pub(super) async fn store(&self, event: WebhookEventRecord) -> Result<EventInsert, StoreError> {
        let (stored, answer) = oneshot::channel();
        self.to_store
            .send(Delivery { event, stored })
            .await
            .map_err(|_| StoreError::Stopping)?;
        answer.await.map_err(|_| StoreError::Stopping)?
    }

    /// Applies a stored event now if there is room, else queues it for the workers.
    pub(super) async fn apply(&self, state: &AppState, event: WebhookEventRecord) -> Ingested {
        if let Ok(_room) = self.inline.try_acquire() {
            return match apply_and_mark(state, &event).await {
                Some(applied) => Ingested::Applied(applied),
                None => Ingested::Deferred,
            };
        }
        if let Err(full) = self.to_apply.try_send(event) {
            // Stored and claimed here, but no worker will get to it soon: the re-apply pass's now.
            let event = full.into_inner();
            if let Err(error) = self
                .store
                .release_webhook_event(&event.event_id, now_ms())
                .await
            {
                tracing::warn!(event = %event.event_id, %error, "could not hand a stored webhook to the re-apply pass; it will be after its claim");
            }
        }
        Ingested::Queued
    }
}

/// Stores deliveries in batches: whatever is waiting when the previous commit ends goes into the
/// next one. A batch that fails is stored again one delivery at a time, so one bad row fails alone.
async fn write_batches(store: Store, mut deliveries: mpsc::Receiver<Delivery>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while deliveries.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let events: Vec<WebhookEventRecord> = batch.iter().map(|d| d.event.clone()).collect();
        let claim_until = now_ms() + CLAIM_MS;
        match store.insert_webhook_events(&events, claim_until).await {
            Ok(answers) => {
                for (delivery, answer) in batch.drain(..).zip(answers) {
                    let _ = delivery.stored.send(Ok(answer));
                }
            }
            Err(error) => {
                tracing::warn!(%error, deliveries = batch.len(), "storing webhooks together failed; storing them one by one");
                for delivery in batch.drain(..) {
                    let answer = store
                        .insert_webhook_events(std::slice::from_ref(&delivery.event), claim_until)
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

/// A background worker: applies stored events handed to it, one at a time.
async fn apply_stored(state: AppState, stored: Arc<Mutex<mpsc::Receiver<WebhookEventRecord>>>) {
    loop {
        let next = stored.lock().await.recv().await;
        let Some(event) = next else { return };
        apply_and_mark(&state, &event).await;
    }
}
