//! The simulated Commerce Hub's shared handle: its settings, its memory, its faults, the error shape it
//! answers with, and writing what changed to its storage before an answer goes out.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use axum::http::StatusCode;

use super::answer_variants::ErrorShape;
use super::ledger::{CommerceHubState, Dirty};
use crate::sandbox::faults::{Fault, FaultKind, FaultQueue};
use crate::sandbox::storage::{SimulatorStorage, StoredRecord};
use crate::sandbox::variants::Variants;

pub const CHARGE_RECORD: &str = "commercehub_charge";
pub const PROCESSED_RECORD: &str = "commercehub_processed";
pub const REPLAY_RECORD: &str = "commercehub_replay";
pub const SESSION_RECORD: &str = "commercehub_session";
pub const TOKEN_RECORD: &str = "commercehub_token";

/// How the simulator behaves (sandbox choices, reference §16).
#[derive(Clone, Debug)]
pub struct CommerceHubSandboxConfig {
    pub api_key: String,
    pub api_secret: String,
    pub merchant_id: String,
    pub terminal_id: String,
    /// The `Timestamp` window and how long a `Client-Request-Id` is remembered (5 minutes).
    pub window: Duration,
    /// How long a Hosted Fields session lives (30 minutes).
    pub session_ttl: Duration,
    /// Where it keeps its memory (none: in memory only).
    pub database_url: Option<String>,
    /// Origins allowed to frame Hosted Fields besides loopback ones (Fiserv's domain whitelist).
    pub frame_origins: Vec<String>,
    /// The documented variants its answers take (off: each answer's canonical form).
    pub variants: Variants,
}

impl CommerceHubSandboxConfig {
    pub fn new(api_key: String, api_secret: String, database_url: Option<String>) -> Self {
        CommerceHubSandboxConfig {
            api_key,
            api_secret,
            merchant_id: "100008000003683".into(),
            terminal_id: "10000001".into(),
            window: Duration::from_secs(300),
            session_ttl: Duration::from_secs(30 * 60),
            database_url,
            frame_origins: Vec::new(),
            variants: Variants::off(),
        }
    }
}

/// Where the simulated Commerce Hub can fail on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommerceHubFaultPoint {
    /// `POST /payments/v1/refunds`
    Refund,
    /// `POST /payments/v1/charges`
    Charge,
    /// `POST /payments/v1/cancels`
    Cancel,
    /// `POST /payments/v1/transaction-inquiry`
    Inquiry,
    /// `POST /payments-vas/v1/security/credentials`
    Credentials,
    /// `POST /payments-vas/v1/tokens`
    Token,
    /// The Hosted Fields' card submission (the customer's browser to the gateway).
    FieldsSubmit,
}

impl CommerceHubFaultPoint {
    /// Whether `kind` makes sense here.
    pub fn accepts(self, kind: FaultKind) -> bool {
        matches!(
            kind,
            FaultKind::Timeout
                | FaultKind::ServerError
                | FaultKind::Slow
                | FaultKind::RateLimited
                | FaultKind::Unauthorized
                | FaultKind::Malformed
        )
    }
}

/// How a transaction inquiry by `referenceClientRequestId` is answered: the spec (1.24.11) has the
/// field, Fiserv's guides do not, so a live account may refuse it or overlook it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RequestIdInquiry {
    /// Found as the spec says.
    #[default]
    Supported,
    /// 400: the field is refused.
    Refused,
    /// 201 `[]`: the field is overlooked, nothing matches.
    Ignored,
}

impl RequestIdInquiry {
    pub fn parse(text: &str) -> Option<RequestIdInquiry> {
        match text {
            "supported" => Some(RequestIdInquiry::Supported),
            "refused" => Some(RequestIdInquiry::Refused),
            "ignored" => Some(RequestIdInquiry::Ignored),
            _ => None,
        }
    }
}

#[derive(Clone)]
pub struct CommerceHubSandbox {
    pub config: Arc<CommerceHubSandboxConfig>,
    memory: Arc<Mutex<CommerceHubState>>,
    faults: Arc<Mutex<FaultQueue<CommerceHubFaultPoint>>>,
    /// The error shape a control asked for; none: the canonical one, or a variant.
    error_shape: Arc<Mutex<Option<ErrorShape>>>,
    /// How the inquiry treats `referenceClientRequestId` (newer in the spec than in the guides).
    inquiry_by_request_id: Arc<Mutex<RequestIdInquiry>>,
    storage: Option<SimulatorStorage>,
    writing: Arc<tokio::sync::Mutex<()>>,
}

impl CommerceHubSandbox {
    pub fn new(
        config: CommerceHubSandboxConfig,
        memory: CommerceHubState,
        storage: Option<SimulatorStorage>,
    ) -> Self {
        CommerceHubSandbox {
            config: Arc::new(config),
            memory: Arc::new(Mutex::new(memory)),
            faults: Arc::default(),
            error_shape: Arc::default(),
            inquiry_by_request_id: Arc::default(),
            storage,
            writing: Arc::default(),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, CommerceHubState> {
        self.memory
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn faults(&self) -> MutexGuard<'_, FaultQueue<CommerceHubFaultPoint>> {
        self.faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn take_fault(&self, point: CommerceHubFaultPoint) -> Option<Fault<CommerceHubFaultPoint>> {
        let fault = self.faults().take(point)?;
        tracing::info!(point = ?point, fault = ?fault.fault, applied = fault.applied, "commercehub sandbox fault injected");
        Some(fault)
    }

    /// The shape of an error answer with `status`.
    pub fn error_shape(&self, status: StatusCode) -> ErrorShape {
        let forced = *self
            .error_shape
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        forced
            .unwrap_or_else(|| ErrorShape::varied(&self.config.variants, status.is_server_error()))
    }

    pub fn request_id_inquiry(&self) -> RequestIdInquiry {
        *self
            .inquiry_by_request_id
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn set_request_id_inquiry(&self, answer: RequestIdInquiry) {
        *self
            .inquiry_by_request_id
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = answer;
    }

    pub fn set_error_shape(&self, shape: ErrorShape) {
        *self
            .error_shape
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(shape);
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
            let mut dirty = std::mem::take(&mut state.dirty);
            dirty.sort_by_key(|d| format!("{d:?}"));
            dirty.dedup();
            dirty
                .into_iter()
                .filter_map(|change| {
                    let (kind, key, body) = match &change {
                        Dirty::Charge(id) => (
                            CHARGE_RECORD,
                            id,
                            serde_json::to_string(state.charges.get(id)?),
                        ),
                        Dirty::Processed(id) => (
                            PROCESSED_RECORD,
                            id,
                            serde_json::to_string(state.processed.get(id)?),
                        ),
                        Dirty::Replay(id) => (
                            REPLAY_RECORD,
                            id,
                            serde_json::to_string(state.replays.get(id)?),
                        ),
                        Dirty::Session(id) => (
                            SESSION_RECORD,
                            id,
                            serde_json::to_string(state.sessions.get(id)?),
                        ),
                        Dirty::Token(id) => (
                            TOKEN_RECORD,
                            id,
                            serde_json::to_string(state.tokens.get(id)?),
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
            tracing::warn!(%error, "commercehub sandbox could not write its state");
        }
    }
}
