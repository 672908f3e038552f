//! The simulated Payroc Cloud's shared handle: its settings, its memory, the signal a long poll waits
//! on, its faults, and writing what changed to its storage before an answer goes out.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::sandbox::variants::Variants;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::state::{Dirty, PayrocState};
use crate::sandbox::faults::{Fault, FaultKind, FaultQueue};
use crate::sandbox::storage::{SimulatorStorage, StoredRecord};

pub const INSTRUCTION_RECORD: &str = "payroc_instruction";
pub const REFUND_RECORD: &str = "payroc_refund";
pub const REPLAY_RECORD: &str = "payroc_replay";

/// How the simulator behaves (all sandbox choices, reference §13).
#[derive(Clone, Debug)]
pub struct PayrocSandboxConfig {
    /// The API key its identity endpoint accepts.
    pub api_key: String,
    /// The processing terminal id instructions must name.
    pub terminal_id: String,
    /// How long a poll is held while nothing changes (Payroc: up to a minute).
    pub hold: Duration,
    /// How long a device waits for a card before the instruction fails.
    pub card_wait: Duration,
    /// How long a presented card is processed.
    pub processing: Duration,
    /// Lifetime of an identity token.
    pub token_ttl: Duration,
    /// Where it keeps its memory (none: in memory only).
    pub database_url: Option<String>,
    /// The documented variants its answers take (off: each answer's canonical form).
    pub variants: Variants,
}

impl PayrocSandboxConfig {
    pub fn new(api_key: String, database_url: Option<String>) -> Self {
        PayrocSandboxConfig {
            api_key,
            terminal_id: "1234001".into(),
            hold: Duration::from_secs(55),
            card_wait: Duration::from_secs(120),
            processing: Duration::from_millis(800),
            token_ttl: Duration::from_secs(3600),
            database_url,
            variants: Variants::off(),
        }
    }
}

/// Where the simulated Payroc can fail on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PayrocFaultPoint {
    /// `POST /authorize`
    Authorize,
    /// `POST /devices/{serial}/refund-instructions`
    RefundInstruction,
    /// `GET /refund-instructions/{id}`
    Poll,
    /// `DELETE /refund-instructions/{id}`
    Cancel,
    /// `GET /refunds/{id}`
    Refund,
    /// `POST /refunds/{id}/reverse`
    Reverse,
    /// `GET /devices`
    Devices,
}

impl PayrocFaultPoint {
    /// Whether `kind` makes sense here.
    pub fn accepts(self, kind: FaultKind) -> bool {
        matches!(
            kind,
            FaultKind::Interrupted
                | FaultKind::Timeout
                | FaultKind::ServerError
                | FaultKind::Slow
                | FaultKind::Unauthorized
        )
    }
}

#[derive(Clone)]
pub struct PayrocSandbox {
    pub config: Arc<PayrocSandboxConfig>,
    pub origin: String,
    memory: Arc<Mutex<PayrocState>>,
    faults: Arc<Mutex<FaultQueue<PayrocFaultPoint>>>,
    /// Bumped on every change: long polls wake up and look again.
    changed: watch::Sender<u64>,
    /// Identity tokens handed out, with when they expire (ms).
    tokens: Arc<Mutex<std::collections::HashMap<String, i64>>>,
    storage: Option<SimulatorStorage>,
    writing: Arc<tokio::sync::Mutex<()>>,
    /// Refunds already shown once (with variants on, a first look may say `accepted`).
    shown: Arc<Mutex<std::collections::HashSet<String>>>,
}

impl PayrocSandbox {
    pub fn new(
        config: PayrocSandboxConfig,
        origin: String,
        memory: PayrocState,
        storage: Option<SimulatorStorage>,
    ) -> Self {
        PayrocSandbox {
            config: Arc::new(config),
            origin,
            memory: Arc::new(Mutex::new(memory)),
            faults: Arc::default(),
            changed: watch::channel(0).0,
            tokens: Arc::default(),
            storage,
            writing: Arc::default(),
            shown: Arc::default(),
        }
    }

    /// Whether this is the first time `refund_id` is shown on its own.
    pub fn first_look(&self, refund_id: &str) -> bool {
        self.shown
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(refund_id.to_string())
    }

    pub fn lock(&self) -> MutexGuard<'_, PayrocState> {
        self.memory
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Tells waiting polls something changed.
    pub fn notify(&self) {
        self.changed.send_modify(|version| *version += 1);
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    pub fn faults(&self) -> MutexGuard<'_, FaultQueue<PayrocFaultPoint>> {
        self.faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn take_fault(&self, point: PayrocFaultPoint) -> Option<Fault<PayrocFaultPoint>> {
        let fault = self.faults().take(point)?;
        tracing::info!(point = ?point, fault = ?fault.fault, applied = fault.applied, "payroc sandbox fault injected");
        Some(fault)
    }

    /// A new identity token, valid for the configured lifetime.
    pub fn issue_token(&self, now_ms: i64) -> String {
        let token = format!("pyr_{}", super::state::instruction_id());
        let expires = now_ms + self.config.token_ttl.as_millis() as i64;
        let mut tokens = self
            .tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        tokens.retain(|_, at| *at > now_ms);
        tokens.insert(token.clone(), expires);
        token
    }

    /// Whether `Authorization: Bearer <token>` names a live token.
    pub fn token_is_valid(&self, token: &str, now_ms: i64) -> bool {
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(token)
            .is_some_and(|at| *at > now_ms)
    }

    /// Writes what changed, before the answer goes out (a killed sandbox loses nothing it said).
    pub async fn persist(&self) {
        let Some(storage) = &self.storage else {
            self.lock().dirty.clear();
            return;
        };
        let _writing = self.writing.lock().await;
        let records: Vec<StoredRecord> = {
            let mut state = self.lock();
            let dirty = std::mem::take(&mut state.dirty);
            dirty
                .into_iter()
                .filter_map(|change| {
                    let (kind, key, body) = match &change {
                        Dirty::Instruction(id) => (
                            INSTRUCTION_RECORD,
                            id,
                            serde_json::to_string(state.instructions.get(id)?),
                        ),
                        Dirty::Refund(id) => (
                            REFUND_RECORD,
                            id,
                            serde_json::to_string(state.refunds.get(id)?),
                        ),
                        Dirty::Replay(key) => (
                            REPLAY_RECORD,
                            key,
                            serde_json::to_string(state.replays.get(key)?),
                        ),
                    };
                    Some(StoredRecord {
                        kind,
                        key: key.clone(),
                        seq: 0,
                        body: body.ok()?,
                    })
                })
                .collect()
        };
        if records.is_empty() {
            return;
        }
        if let Err(error) = storage.save(&records).await {
            tracing::warn!(%error, "payroc sandbox could not write its state");
        }
    }
}
