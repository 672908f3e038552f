//! The simulated Omni gateway's handle, shared by its handlers: its configuration, its memory
//! behind one lock, its webhook sender, and the merchant's hosted forms.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use paydesk_core::gateways::omni::signature::SignatureEncoding;

use super::fault_points::FaultPoint;
use super::gateway_state::GatewayState;
use super::notifier::{Delivery, Notifier};
use super::wire::FormMethod;
use crate::sandbox::faults::{Fault, FaultKind};
use crate::sandbox::storage::SimulatorStorage;

/// How the simulated Omni gateway behaves.
#[derive(Clone, Debug)]
pub struct OmniSandboxConfig {
    /// The only key its API accepts.
    pub api_key: String,
    /// Where it delivers webhooks.
    pub webhook_url: String,
    pub webhook_secret: Vec<u8>,
    pub signature_encoding: SignatureEncoding,
    /// Lifetime of a hosted-form session.
    pub session_ttl: Duration,
    /// Origins allowed to frame the hosted form; the first is the default postMessage target.
    pub merchant_origins: Vec<String>,
    /// Waits between webhook delivery retries.
    pub webhook_retry_delays: Vec<Duration>,
    /// Its own SQLite database (`sqlite://…`), to remember transactions and sessions across
    /// restarts; `None` keeps everything in memory.
    pub database_url: Option<String>,
}

impl OmniSandboxConfig {
    /// The gateway's documented pattern: a few attempts with exponential backoff.
    pub fn default_retry_delays() -> Vec<Duration> {
        [1, 2, 4, 8, 16, 32]
            .into_iter()
            .map(Duration::from_secs)
            .collect()
    }
}

#[derive(Clone)]
pub struct OmniSandbox {
    pub(super) config: Arc<OmniSandboxConfig>,
    pub(super) memory: Arc<Mutex<GatewayState>>,
    pub(super) notifier: Notifier,
    /// e.g. `http://127.0.0.1:3100`
    pub(super) origin: String,
    /// Where it keeps its state, if anywhere.
    pub(super) storage: Option<SimulatorStorage>,
    /// One write at a time, in the order changes were taken (an older write never overtakes).
    pub(super) writing: Arc<tokio::sync::Mutex<()>>,
}

impl OmniSandbox {
    /// The fault queued for `point`, if any, used once.
    pub(super) fn take_fault(&self, point: FaultPoint) -> Option<Fault<FaultPoint>> {
        let fault = {
            let mut state = self.lock();
            *state.calls.entry(point).or_default() += 1;
            state.faults.take(point)?
        };
        tracing::info!(point = ?point, fault = ?fault.fault, applied = fault.applied, "sandbox fault injected");
        Some(fault)
    }

    /// Writes what changed to its storage, before the answer goes out (a killed sandbox loses
    /// nothing it answered). A failed write is tried again with the next one.
    pub(super) async fn persist(&self) {
        let Some(storage) = &self.storage else { return };
        let _writing = self.writing.lock().await;
        let changes = self.lock().take_changes();
        if changes.is_empty() {
            return;
        }
        if let Err(error) = storage.save(&changes).await {
            tracing::error!(%error, "the sandbox could not write its state; trying again");
            self.lock().note_unsaved(&changes);
        }
    }

    /// Sends a webhook, unless a `webhook` fault says to drop, duplicate, delay or reorder it.
    pub(super) fn send_webhook(&self, event_type: &str, original_response: serde_json::Value) {
        let delivery = match self
            .take_fault(FaultPoint::Webhook)
            .map(|f| (f.fault, f.delay()))
        {
            None => Delivery::Now,
            Some((FaultKind::Drop, _)) => Delivery::Never,
            Some((FaultKind::Duplicate, _)) => Delivery::Twice,
            Some((FaultKind::Delay, delay)) => Delivery::After(delay),
            Some((FaultKind::Reorder, _)) => Delivery::AfterNext,
            Some(_) => Delivery::Now,
        };
        self.notifier.send(event_type, original_response, delivery);
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, GatewayState> {
        self.memory
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The merchant's two hosted payment forms, one per currency.
    pub(super) fn forms(&self) -> Vec<FormMethod> {
        vec![
            FormMethod {
                id: "pmt_vrt_01JRZPTWS99Z7RB57Q1CVWSWDS".into(),
                kind: "Virtual".into(),
                currency: "USD".into(),
                description: "Online Checkout Iframe (USD)".into(),
            },
            FormMethod {
                id: "pmt_vrt_01JRZPTWS99Z7RB57Q1CVWSWCA".into(),
                kind: "Virtual".into(),
                currency: "CAD".into(),
                description: "Online Checkout Iframe (CAD)".into(),
            },
        ]
    }
}
