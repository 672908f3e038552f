//! Delivers due outbox events to the merchant's webhook URL, signed, with exponential backoff.
//! State lives in the database, so deliveries survive restarts; the event id never changes between
//! attempts (receivers deduplicate on it).

use crate::measures;
use std::time::Duration;

use super::signature::{WebhookSigner, SIGNATURE_HEADER};
use crate::store::{now_ms, MerchantEventRecord, Store, StoreError};

/// Events sent at once: one slow answer never holds back the others.
pub const IN_FLIGHT: i64 = 16;

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

    /// Sends every due event once, up to [`IN_FLIGHT`] at a time (a slow answer delays only its own
    /// event). Returns how many were delivered.
    pub async fn deliver_due(&self, store: &Store) -> Result<usize, StoreError> {
        let mut sending = tokio::task::JoinSet::new();
        let now = now_ms();
        // Claimed for longer than a send can take: one instance sends each event.
        let claim_until = now + 4 * self.config.timeout.as_millis() as i64 + 20_000;
        for event in store
            .claim_due_merchant_events(now, IN_FLIGHT, claim_until)
            .await?
        {
            let (deliverer, store) = (self.clone(), store.clone());
            sending.spawn(async move { deliverer.deliver(&store, &event).await });
        }
        let mut delivered = 0;
        let mut failure = None;
        while let Some(done) = sending.join_next().await {
            match done {
                Ok(Ok(true)) => delivered += 1,
                Ok(Ok(false)) => {}
                Ok(Err(error)) => failure = Some(error),
                Err(panicked) => tracing::error!(%panicked, "a merchant webhook delivery stopped"),
            }
        }
        match failure {
            Some(error) => Err(error),
            None => Ok(delivered),
        }
    }

    /// Sends one event and records the result. `true` when it was delivered.
    async fn deliver(
        &self,
        store: &Store,
        event: &MerchantEventRecord,
    ) -> Result<bool, StoreError> {
        match self.send(event).await {
            Ok(()) => {
                store
                    .mark_merchant_event_delivered(&event.id, now_ms())
                    .await?;
                tracing::info!(event = %event.id, kind = %event.event_type, "merchant webhook delivered");
                measures::merchant_delivery("delivered");
                Ok(true)
            }
            Err(error) => {
                let attempts = event.attempts + 1;
                let give_up = attempts >= self.config.max_attempts;
                let next = now_ms() + backoff(self.config.retry_base, attempts).as_millis() as i64;
                tracing::warn!(event = %event.id, attempts, give_up, %error, "merchant webhook not delivered");
                measures::merchant_delivery(if give_up { "given_up" } else { "failed" });
                store
                    .mark_merchant_event_attempt_failed(&event.id, &error, next, give_up)
                    .await?;
                Ok(false)
            }
        }
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
