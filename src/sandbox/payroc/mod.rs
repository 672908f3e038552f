//! The simulated Payroc Cloud, on its own origin: the identity exchange, devices, refund
//! instructions with their state machine and long poll, refunds, RFC 7807 errors, idempotency, fault
//! injection, and a virtual terminal page where a person taps a test card — so device refunds run
//! and are tested with no Payroc account or device.

mod api;
mod problems;
mod simulator;
mod state;
mod terminal;

use crate::sandbox::host::{Host, Remembered};
use std::net::SocketAddr;

use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;

pub use simulator::{PayrocFaultPoint, PayrocSandboxConfig};
use simulator::{PayrocSandbox, INSTRUCTION_RECORD, REFUND_RECORD, REPLAY_RECORD};
pub use state::DEVICES;
use state::{Instruction, PayrocState, RefundRecord, Replay};

use crate::sandbox::clock::iso_now;
use crate::sandbox::storage::SimulatorStorage;
use crate::sandbox::SandboxError;

/// The simulated Payroc, serving in the background.
#[derive(Clone)]
pub struct RunningPayrocSandbox {
    pub addr: SocketAddr,
    /// The API root (`…/v1`).
    pub api_url: String,
    /// The identity root (`POST …/authorize`).
    pub identity_url: String,
    /// Where the virtual terminals are (`…/terminal`).
    pub terminal_url: String,
    pub terminal_id: String,
    /// The API key it accepts (also for its `/sandbox/…` controls).
    pub api_key: String,
    sandbox: PayrocSandbox,
}

impl std::fmt::Debug for RunningPayrocSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningPayrocSandbox")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl RunningPayrocSandbox {
    /// Writes anything not written yet (on shutdown).
    pub async fn flush(&self) {
        self.sandbox.persist().await;
    }
}

/// Starts the simulator on `listener`, with what its database remembers.
pub async fn start(
    config: PayrocSandboxConfig,
    listener: TcpListener,
) -> Result<RunningPayrocSandbox, SandboxError> {
    let host = Host::new(listener)?;
    let (storage, memory) = Host::remembered::<PayrocState>(config.database_url.as_deref()).await?;
    let origin = host.origin.clone();
    let terminal_id = config.terminal_id.clone();
    let api_key = config.api_key.clone();
    let sandbox = PayrocSandbox::new(config, origin.clone(), memory, storage);
    spawn_clock(sandbox.clone());
    let addr = host.addr;
    host.serve("payroc", router(sandbox.clone()), &api_key, "x-api-key")?;
    Ok(RunningPayrocSandbox {
        addr,
        api_url: format!("{origin}/v1"),
        identity_url: origin.clone(),
        terminal_url: format!("{origin}/terminal"),
        terminal_id,
        api_key,
        sandbox,
    })
}

/// Moves the devices' time forward: processing ends, devices waiting too long give up.
fn spawn_clock(sandbox: PayrocSandbox) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(api::TICK);
        loop {
            ticker.tick().await;
            let changed = sandbox
                .lock()
                .advance(paydesk_core::clock::now_ms(), &iso_now());
            if changed {
                sandbox.notify();
                sandbox.persist().await;
            }
        }
    });
}

impl Remembered for PayrocState {
    async fn restore(storage: &SimulatorStorage) -> Result<PayrocState, SandboxError> {
        let mut state = PayrocState::default();
        state
            .instructions
            .extend(storage.load_json::<Instruction>(INSTRUCTION_RECORD).await?);
        state
            .refunds
            .extend(storage.load_json::<RefundRecord>(REFUND_RECORD).await?);
        state
            .replays
            .extend(storage.load_json::<Replay>(REPLAY_RECORD).await?);
        Ok(state)
    }
}

fn router(sandbox: PayrocSandbox) -> Router {
    Router::new()
        .route("/authorize", post(api::authorize))
        .route("/v1/devices", get(api::devices))
        .route(
            "/v1/devices/{serial}/refund-instructions",
            post(api::submit),
        )
        .route(
            "/v1/refund-instructions/{id}",
            get(api::poll).delete(api::cancel),
        )
        .route("/v1/refunds", get(api::refunds))
        .route("/v1/refunds/{id}", get(api::refund))
        .route("/v1/refunds/{id}/reverse", post(api::reverse))
        .route(
            "/sandbox/faults",
            post(api::queue_fault)
                .get(api::list_faults)
                .delete(api::clear_faults),
        )
        .route("/terminal", get(terminal::devices_page))
        .route("/terminal/{serial}", get(terminal::device_page))
        .route("/terminal/{serial}/tap", post(terminal::tap))
        .route("/terminal/{serial}/key", post(terminal::key))
        .route("/terminal/{serial}/decline", post(terminal::decline))
        .route(
            "/terminal/{serial}/cancel",
            post(terminal::cancel_on_device),
        )
        .route("/terminal/{serial}/timeout", post(terminal::time_out))
        .route("/terminal/{serial}/offline", post(terminal::offline))
        .layer(axum::middleware::from_fn(
            crate::sandbox::faults::run_to_completion,
        ))
        .with_state(sandbox)
}
