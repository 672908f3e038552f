//! Delivers the sandbox's signed webhooks (`x-fsk-wh-chksm`), retrying with exponential backoff
//! until a 2xx answer or the attempts run out, like the gateway — or, when a fault says so, never,
//! twice, late, or after the next one.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use paydesk_core::gateways::omni::signature::{sign, SignatureEncoding, SIGNATURE_HEADER};
use serde_json::json;

use crate::sandbox::clock::{iso_now, new_ulid};

#[derive(Clone, Debug)]
pub struct Notifier {
    http: reqwest::Client,
    url: String,
    secret: Vec<u8>,
    encoding: SignatureEncoding,
    /// Wait before each retry; the number of retries is its length.
    retry_delays: Vec<Duration>,
    /// An event held back by a `reorder` fault: sent right after the next one.
    held: Arc<Mutex<Option<(String, String)>>>,
}

/// How one webhook is delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    Now,
    Never,
    Twice,
    After(Duration),
    AfterNext,
}

/// A held event is sent anyway after this long if no other event comes.
const HOLD_AT_MOST: Duration = Duration::from_secs(5);

impl Notifier {
    pub fn new(
        url: String,
        secret: Vec<u8>,
        encoding: SignatureEncoding,
        retry_delays: Vec<Duration>,
    ) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Notifier {
            http,
            url,
            secret,
            encoding,
            retry_delays,
            held: Arc::default(),
        }
    }

    /// Queues an event (`auth.completed`, `token.created`, …) about a transaction. Returns its id.
    pub fn send(
        &self,
        event_type: &str,
        original_response: serde_json::Value,
        delivery: Delivery,
    ) -> String {
        let event_id = format!("evt_{}", new_ulid());
        let body = json!({
            "event": { "id": event_id, "type": event_type, "timestamp": iso_now() },
            "originalResponse": original_response,
        })
        .to_string();
        let notifier = self.clone();
        let id = event_id.clone();
        match delivery {
            Delivery::Never => tracing::info!(event_id, "sandbox webhook dropped (fault)"),
            Delivery::AfterNext => {
                let previously_held = self.hold().replace((id.clone(), body));
                tokio::spawn(async move {
                    if let Some((held_id, held_body)) = previously_held {
                        notifier.deliver(&held_id, held_body).await;
                    }
                    tokio::time::sleep(HOLD_AT_MOST).await;
                    let still_held = notifier.hold().take_if(|(held_id, _)| *held_id == id);
                    if let Some((held_id, held_body)) = still_held {
                        notifier.deliver(&held_id, held_body).await;
                    }
                });
            }
            Delivery::Now | Delivery::Twice | Delivery::After(_) => {
                tokio::spawn(async move {
                    if let Delivery::After(delay) = delivery {
                        tokio::time::sleep(delay).await;
                    }
                    notifier.deliver(&id, body.clone()).await;
                    if delivery == Delivery::Twice {
                        notifier.deliver(&id, body).await;
                    }
                    // An event held back by a reorder fault goes right after this one.
                    let held = notifier.hold().take();
                    if let Some((held_id, held_body)) = held {
                        notifier.deliver(&held_id, held_body).await;
                    }
                });
            }
        }
        event_id
    }

    fn hold(&self) -> std::sync::MutexGuard<'_, Option<(String, String)>> {
        self.held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn deliver(&self, event_id: &str, body: String) {
        let signature = sign(&self.secret, body.as_bytes(), self.encoding);
        let mut delays = self.retry_delays.iter();
        let mut attempt = 1;
        loop {
            let result = self
                .http
                .post(&self.url)
                .header("content-type", "application/json")
                .header(SIGNATURE_HEADER, &signature)
                .body(body.clone())
                .send()
                .await;
            match result {
                Ok(response) if response.status().is_success() => {
                    tracing::debug!(event_id, attempt, "sandbox webhook delivered");
                    return;
                }
                Ok(response) => {
                    tracing::warn!(
                        event_id,
                        attempt,
                        status = response.status().as_u16(),
                        "sandbox webhook refused"
                    )
                }
                Err(error) => {
                    tracing::warn!(event_id, attempt, error = %error.without_url(), "sandbox webhook not delivered")
                }
            }
            match delays.next() {
                Some(delay) => tokio::time::sleep(*delay).await,
                None => {
                    tracing::error!(
                        event_id,
                        attempts = attempt,
                        "sandbox webhook failed; it will not be retried"
                    );
                    return;
                }
            }
            attempt += 1;
        }
    }
}
