//! The simulated Omni gateway: its API, hosted form (on its own origin), test cards, signed
//! webhooks, settlement batches and fault injection, so paydesk runs and is tested with no gateway
//! account.

mod control;
mod failure;
mod fault_answers;
mod fault_points;
mod gateway_state;
mod hosted_form;
mod lists;
mod notifier;
mod referenced;
pub mod scenarios;
mod sessions;
mod simulator;
mod wire;

use crate::sandbox::host::{Host, Remembered};
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;

use gateway_state::{GatewayState, Session, Txn, BATCH_RECORD, SESSION_RECORD, TRANSACTION_RECORD};
use notifier::Notifier;
use simulator::OmniSandbox;
pub use simulator::OmniSandboxConfig;

use crate::sandbox::storage::SimulatorStorage;

/// The simulated Omni gateway, serving in the background.
#[derive(Clone)]
pub struct RunningOmniSandbox {
    pub addr: SocketAddr,
    /// The API root to configure the client with (`…/v1`).
    pub api_url: String,
    /// The hosted form's origin.
    pub origin: String,
    /// The API key it accepts (also for its `/sandbox/…` controls).
    pub api_key: String,
    sandbox: OmniSandbox,
}

impl std::fmt::Debug for RunningOmniSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never its key or its webhook secret.
        f.debug_struct("RunningOmniSandbox")
            .field("addr", &self.addr)
            .field("origin", &self.origin)
            .finish()
    }
}

pub use crate::sandbox::SandboxError;

/// Starts serving the sandbox on `listener`, with what its database remembers.
pub async fn start(
    config: OmniSandboxConfig,
    listener: TcpListener,
) -> Result<RunningOmniSandbox, SandboxError> {
    let host = Host::new(listener)?;
    let (storage, memory) =
        Host::remembered::<GatewayState>(config.database_url.as_deref()).await?;
    let notifier = Notifier::new(
        config.webhook_url.clone(),
        config.webhook_secret.clone(),
        config.signature_encoding,
        config.webhook_retry_delays.clone(),
    );
    let api_key = config.api_key.clone();
    let sandbox = OmniSandbox {
        config: Arc::new(config),
        memory: Arc::new(std::sync::Mutex::new(memory)),
        notifier,
        origin: host.origin.clone(),
        storage,
        writing: Arc::default(),
    };
    let running = RunningOmniSandbox {
        addr: host.addr,
        api_url: format!("{}/v1", host.origin),
        origin: host.origin.clone(),
        api_key,
        sandbox: sandbox.clone(),
    };
    host.serve("omni", router(sandbox), &running.api_key, "x-api-key")?;
    Ok(running)
}

impl RunningOmniSandbox {
    /// Writes anything not written yet (on shutdown).
    pub async fn flush(&self) {
        self.sandbox.persist().await;
    }
}

/// Every request's changes are written before its answer goes out.
async fn persist_after(
    State(sandbox): State<OmniSandbox>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    sandbox.persist().await;
    response
}

impl Remembered for GatewayState {
    /// The simulator's state as its database remembers it.
    async fn restore(storage: &SimulatorStorage) -> Result<GatewayState, SandboxError> {
        let transactions: Vec<Txn> = storage
            .load_json::<Txn>(TRANSACTION_RECORD)
            .await?
            .into_iter()
            .map(|(_, txn)| txn)
            .collect();
        let sessions = storage.load_json::<Session>(SESSION_RECORD).await?;
        let open_batch = match storage.load_json::<u64>(BATCH_RECORD).await?.pop() {
            Some((_, batch)) => batch,
            None => 0,
        };
        if !transactions.is_empty() {
            tracing::info!(
                transactions = transactions.len(),
                sessions = sessions.len(),
                "sandbox state restored"
            );
        }
        Ok(GatewayState::restored(transactions, sessions, open_batch))
    }
}

fn router(sandbox: OmniSandbox) -> Router {
    Router::new()
        .route(
            "/v1/transactions/virtual-auth",
            post(sessions::virtual_auth),
        )
        .route(
            "/v1/transactions/unreferenced-virtual-refund",
            post(sessions::unreferenced_virtual_refund),
        )
        .route("/v1/transactions/capture", post(referenced::capture))
        .route("/v1/transactions/void", post(referenced::void))
        .route("/v1/transactions/refund", post(referenced::refund))
        .route("/v1/transactions", get(lists::list_transactions))
        .route("/v1/payment-methods", get(lists::list_payment_methods))
        .route("/sandbox/batches/close", post(control::close_batch))
        .route("/sandbox/calls", get(control::list_calls))
        .route(
            "/sandbox/faults",
            post(control::queue_fault)
                .get(control::list_faults)
                .delete(control::clear_faults),
        )
        .route(
            "/session/{token}",
            get(hosted_form::show).post(hosted_form::submit),
        )
        .route("/hpf.js", get(hosted_form::script))
        .route("/hpf.css", get(hosted_form::style))
        .layer(axum::middleware::from_fn_with_state(
            sandbox.clone(),
            persist_after,
        ))
        .layer(axum::middleware::from_fn(
            crate::sandbox::faults::run_to_completion,
        ))
        .with_state(sandbox)
}
