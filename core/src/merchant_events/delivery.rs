//! Delivers due outbox events to the merchant's webhook URL, signed, with exponential backoff.
//! State lives in the database, so deliveries survive restarts; the event id never changes between
//! attempts (receivers deduplicate on it). Sends overlap (a window of [`IN_FLIGHT`]); deliveries are
//! recorded together, so a burst costs one write per group of answers, not one per event.

use crate::measures;
use std::time::Duration;

use super::signature::{WebhookSigner, SIGNATURE_HEADER};
use crate::store::{now_ms, MerchantEventRecord, Store, StoreError};

/// Events being sent at once: a slow answer holds only its own place.
pub const IN_FLIGHT: usize = 64;

/// Free places worth a claim while sends are under way (and answers recorded together at most).
const REFILL_AT: usize = IN_FLIGHT / 4;
/// How long answers are gathered after the first, to be recorded together.
const GATHER: Duration = Duration::from_millis(2);

/// Where and how to deliver.
#[derive(Clone, Debug)]
pub struct DeliveryConfig {
    pub url: String,
    pub signer: WebhookSigner,
    /// Wait before the first retry; doubles each time, capped at one hour.
    pub retry_base: Duration,
    /// After this many failed attempts the event is `failed` (redeliver it from the API).
    pub max_attempts: i64,
    pub timeout: Duration,
    /// How often due events are looked for when no new one woke the deliverer (retries coming due).
    pub poll: Duration,
}

#[derive(Clone, Debug)]
pub struct Deliverer {
    http: reqwest::Client,
    config: DeliveryConfig,
}

/// The wait before retry number `attempts` (1-based): base × 2^(attempts−1), at most one hour.
pub fn backoff(base: Duration, attempts: i64) -> Duration {
    let factor = 1u32 << (attempts.clamp(1, 20) - 1) as u32;
    base.saturating_mul(factor).min(Duration::from_secs(3600))
}

/// An event's send, once it ended: its id, its attempts before this one, and what the endpoint said.
type Sent = (String, i64, Result<(), String>);

impl Deliverer {
    pub fn new(config: DeliveryConfig) -> Self {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("paydesk-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Deliverer { http, config }
    }

    /// Delivers until `stopped`: keeps up to [`IN_FLIGHT`] events being sent, claiming more as
    /// sends end (a slow answer delays only its own event), records the deliveries that ended
    /// together in one write, and, with nothing to send, waits for a new event
    /// ([`Store::outbox_added`]) or the poll interval (retries coming due). On stop, the sends under
    /// way end and are recorded.
    pub async fn run(&self, store: &Store, mut stopped: tokio::sync::watch::Receiver<bool>) {
        let mut sending: tokio::task::JoinSet<Sent> = tokio::task::JoinSet::new();
        loop {
            // Registered before claiming: an event added while the claim runs still wakes us.
            let added = store.outbox_added();
            tokio::pin!(added);
            added.as_mut().enable();
            if !*stopped.borrow() {
                self.claim_into(store, &mut sending).await;
            }
            if sending.is_empty() {
                if *stopped.borrow() {
                    return;
                }
                tokio::select! {
                    _ = added => {}
                    _ = tokio::time::sleep(self.config.poll) => {}
                    _ = stopped.wait_for(|stop| *stop) => {}
                }
                continue;
            }
            // The first send to end, then those ending within a moment: recorded and replaced
            // together (one write, one claim for a group of answers).
            let mut ended = Vec::new();
            if let Some(first) = sending.join_next().await {
                ended.push(first);
            }
            let gather_until = tokio::time::Instant::now() + GATHER;
            while ended.len() < REFILL_AT {
                match tokio::time::timeout_at(gather_until, sending.join_next()).await {
                    Ok(Some(more)) => ended.push(more),
                    // Nothing left in flight, or the moment is over.
                    Ok(None) | Err(_) => break,
                }
            }
            if let Err(error) = self.record(store, ended).await {
                tracing::warn!(%error, "could not record merchant webhook deliveries; they will be sent again");
            }
        }
    }

    /// Claims due events for the free places and starts sending them.
    async fn claim_into(&self, store: &Store, sending: &mut tokio::task::JoinSet<Sent>) {
        let free = IN_FLIGHT.saturating_sub(sending.len());
        if free < REFILL_AT && !sending.is_empty() {
            return;
        }
        let now = now_ms();
        // Claimed for longer than a send can take: one instance sends each event.
        let claim_until = now + 4 * self.config.timeout.as_millis() as i64 + 20_000;
        match store
            .claim_due_merchant_events(now, free as i64, claim_until)
            .await
        {
            Ok(events) => {
                for event in events {
                    let deliverer = self.clone();
                    sending.spawn(async move {
                        let result = deliverer.send(&event).await;
                        (event.id, event.attempts, result)
                    });
                }
            }
            Err(error) => tracing::warn!(%error, "could not claim due merchant webhooks"),
        }
    }

    /// Records sends that ended: the delivered ones in one write, each failure with its retry.
    async fn record(
        &self,
        store: &Store,
        ended: Vec<Result<Sent, tokio::task::JoinError>>,
    ) -> Result<(), StoreError> {
        let mut delivered = Vec::new();
        for sent in ended {
            match sent {
                Ok((id, _, Ok(()))) => {
                    tracing::info!(event = %id, "merchant webhook delivered");
                    measures::merchant_delivery("delivered");
                    delivered.push(id);
                }
                Ok((id, attempts_before, Err(error))) => {
                    self.record_failure(store, &id, attempts_before + 1, &error)
                        .await?
                }
                // The claim runs out and the event is sent again.
                Err(panicked) => tracing::error!(%panicked, "a merchant webhook delivery stopped"),
            }
        }
        store
            .mark_merchant_events_delivered(&delivered, now_ms())
            .await
    }

    /// Records a failed attempt: retried after the backoff, or `failed` once attempts run out.
    async fn record_failure(
        &self,
        store: &Store,
        id: &str,
        attempts: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        let give_up = attempts >= self.config.max_attempts;
        let next = now_ms() + backoff(self.config.retry_base, attempts).as_millis() as i64;
        tracing::warn!(event = %id, attempts, give_up, %error, "merchant webhook not delivered");
        measures::merchant_delivery(if give_up { "given_up" } else { "failed" });
        store
            .mark_merchant_event_attempt_failed(id, error, next, give_up)
            .await
    }

    async fn send(&self, event: &MerchantEventRecord) -> Result<(), String> {
        let timestamp = now_ms() / 1000;
        let response = self
            .http
            .post(&self.config.url)
            .header("content-type", "application/json")
            .header(
                SIGNATURE_HEADER,
                self.config
                    .signer
                    .header(timestamp, event.payload.as_bytes()),
            )
            .header("Paydesk-Event-Id", &event.id)
            .body(event.payload.clone())
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!(
                "the endpoint answered HTTP {}",
                response.status().as_u16()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_secs(10);
        assert_eq!(backoff(base, 1), Duration::from_secs(10));
        assert_eq!(backoff(base, 2), Duration::from_secs(20));
        assert_eq!(backoff(base, 4), Duration::from_secs(80));
        assert_eq!(backoff(base, 30), Duration::from_secs(3600));
    }
}
