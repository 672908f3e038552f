//! The simulated Fiserv Commerce Hub, on its own origin: HMAC-signed requests with the timestamp and
//! `Client-Request-Id` rules, charges with the vendor's sandbox cards, tagged refunds with its decline
//! triggers, unmatched refunds after a qualifying decline, transaction inquiry, security credentials,
//! tokens, a Hosted Fields imitation (`checkout.js`), both error shapes and fault injection — so
//! refunds to a new card run and are tested with no Fiserv account.

mod answer_variants;
mod api;
mod auth;
mod hosted_fields;
mod ledger;
mod simulator;
mod wire;

use crate::sandbox::host::{Host, Remembered};
use std::net::SocketAddr;

use axum::routing::{get, post, put};
use axum::Router;
use tokio::net::TcpListener;

pub use hosted_fields::sdk_integrity;
use ledger::{Charge, CommerceHubState, FieldsSession, Processed, Replay, SimCard};
pub use ledger::{APPROVAL_CARDS, CLOSED_ACCOUNT_CARD, DECLINED_CARD};
pub use simulator::{CommerceHubFaultPoint, CommerceHubSandboxConfig};
use simulator::{
    CommerceHubSandbox, CHARGE_RECORD, PROCESSED_RECORD, REPLAY_RECORD, SESSION_RECORD,
    TOKEN_RECORD,
};

use crate::sandbox::storage::SimulatorStorage;
use crate::sandbox::SandboxError;

/// The version path of the SDK it serves (`/{version}/checkout.js`).
pub const SDK_VERSION: &str = "3.6.0";

/// The simulated Commerce Hub, serving in the background.
#[derive(Clone)]
pub struct RunningCommerceHubSandbox {
    pub addr: SocketAddr,
    pub origin: String,
    /// The API root (`…/ch`), as `PAYDESK_COMMERCEHUB_API_URL`.
    pub api_url: String,
    /// The Hosted Fields SDK.
    pub sdk_url: String,
    pub api_key: String,
    pub api_secret: String,
    pub merchant_id: String,
    pub terminal_id: String,
    sandbox: CommerceHubSandbox,
}

impl std::fmt::Debug for RunningCommerceHubSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningCommerceHubSandbox")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl RunningCommerceHubSandbox {
    /// Writes anything not written yet (on shutdown).
    pub async fn flush(&self) {
        self.sandbox.persist().await;
    }
}

/// Starts the simulator on `listener`, with what its database remembers.
pub async fn start(
    config: CommerceHubSandboxConfig,
    listener: TcpListener,
) -> Result<RunningCommerceHubSandbox, SandboxError> {
    let host = Host::new(listener)?;
    let (storage, memory) =
        Host::remembered::<CommerceHubState>(config.database_url.as_deref()).await?;
    let origin = host.origin.clone();
    let running = RunningCommerceHubSandbox {
        addr: host.addr,
        origin: origin.clone(),
        api_url: format!("{origin}/ch"),
        sdk_url: format!("{origin}/{SDK_VERSION}/checkout.js"),
        api_key: config.api_key.clone(),
        api_secret: config.api_secret.clone(),
        merchant_id: config.merchant_id.clone(),
        terminal_id: config.terminal_id.clone(),
        sandbox: CommerceHubSandbox::new(config, memory, storage),
    };
    host.serve(
        "commercehub",
        router(running.sandbox.clone()),
        &running.api_key,
        "api-key",
    )?;
    Ok(running)
}

impl Remembered for CommerceHubState {
    async fn restore(storage: &SimulatorStorage) -> Result<CommerceHubState, SandboxError> {
        let mut state = CommerceHubState::default();
        state
            .charges
            .extend(storage.load_json::<Charge>(CHARGE_RECORD).await?);
        state
            .processed
            .extend(storage.load_json::<Processed>(PROCESSED_RECORD).await?);
        state
            .replays
            .extend(storage.load_json::<Replay>(REPLAY_RECORD).await?);
        state
            .sessions
            .extend(storage.load_json::<FieldsSession>(SESSION_RECORD).await?);
        state
            .tokens
            .extend(storage.load_json::<SimCard>(TOKEN_RECORD).await?);
        Ok(state)
    }
}

fn router(sandbox: CommerceHubSandbox) -> Router {
    Router::new()
        .route("/ch/payments/v1/charges", post(api::charges))
        .route("/ch/payments/v1/refunds", post(api::refunds))
        .route("/ch/payments/v1/cancels", post(api::cancels))
        .route("/ch/payments/v1/transaction-inquiry", post(api::inquiry))
        .route(
            "/ch/payments-vas/v1/security/credentials",
            post(api::credentials),
        )
        .route("/ch/payments-vas/v1/tokens", post(api::tokens))
        .route("/{version}/checkout.js", get(hosted_fields::sdk))
        .route("/fields/field.js", get(hosted_fields::field_script))
        .route("/fields/field.css", get(hosted_fields::field_style))
        .route("/fields/submit", post(hosted_fields::submit))
        .route("/fields/{field}", get(hosted_fields::field_page))
        .route(
            "/sandbox/faults",
            post(api::queue_fault)
                .get(api::list_faults)
                .delete(api::clear_faults),
        )
        .route("/sandbox/error-shape", put(api::error_shape))
        .route(
            "/sandbox/inquiry-by-request-id",
            put(api::request_id_inquiry),
        )
        .route("/sandbox/charges", post(api::sandbox_charge))
        .route("/sandbox/charges/{id}", get(api::sandbox_charge_state))
        .layer(axum::middleware::from_fn(
            crate::sandbox::faults::run_to_completion,
        ))
        .with_state(sandbox)
}
