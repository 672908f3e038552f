//! The built-in sandbox gateway: an imitation of the gateway's API, hosted form (on its own origin),
//! test cards and signed webhooks, so paydesk runs and is tested with no gateway account.

mod api;
mod clock;
mod control;
mod failure;
mod hosted_form;
mod ledger;
mod notifier;
mod operations;
pub mod scenarios;
mod wire;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use app::server::gateway::signature::SignatureEncoding;
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;

use ledger::Ledger;
use notifier::Notifier;
use wire::FormMethod;

/// How the sandbox behaves.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
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
}

impl SandboxConfig {
    /// The gateway's documented pattern: a few attempts with exponential backoff.
    pub fn default_retry_delays() -> Vec<Duration> {
        [1, 2, 4, 8, 16, 32].into_iter().map(Duration::from_secs).collect()
    }
}

#[derive(Clone)]
pub struct Sandbox {
    config: Arc<SandboxConfig>,
    ledger: Arc<Mutex<Ledger>>,
    notifier: Notifier,
    /// e.g. `http://127.0.0.1:3100`
    origin: String,
}

impl Sandbox {
    fn lock(&self) -> MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The merchant's two hosted payment forms, one per currency.
    fn forms(&self) -> Vec<FormMethod> {
        vec![
            FormMethod {
                id: "pmt_vrt_01JRZPTWS99Z7RB57Q1CVWSWDS".into(),
                kind: "Virtual",
                currency: "USD",
                description: "Online Checkout Iframe (USD)",
            },
            FormMethod {
                id: "pmt_vrt_01JRZPTWS99Z7RB57Q1CVWSWCA".into(),
                kind: "Virtual",
                currency: "CAD",
                description: "Online Checkout Iframe (CAD)",
            },
        ]
    }
}

/// A sandbox serving in the background.
#[derive(Clone, Debug)]
pub struct RunningSandbox {
    pub addr: SocketAddr,
    /// The API root to configure the client with (`…/v1`).
    pub api_url: String,
    /// The hosted form's origin.
    pub origin: String,
    /// The API key it accepts (also for its `/sandbox/…` controls).
    pub api_key: String,
}

/// Starts serving the sandbox on `listener`.
pub fn start(config: SandboxConfig, listener: TcpListener) -> std::io::Result<RunningSandbox> {
    let addr = listener.local_addr()?;
    let origin = format!("http://{addr}");
    let notifier = Notifier::new(
        config.webhook_url.clone(),
        config.webhook_secret.clone(),
        config.signature_encoding,
        config.webhook_retry_delays.clone(),
    );
    let api_key = config.api_key.clone();
    let sandbox = Sandbox {
        config: Arc::new(config),
        ledger: Arc::default(),
        notifier,
        origin: origin.clone(),
    };
    let router = Router::new()
        .route("/v1/transactions/virtual-auth", post(api::virtual_auth))
        .route("/v1/transactions/unreferenced-virtual-refund", post(api::unreferenced_virtual_refund))
        .route("/v1/transactions/capture", post(operations::capture))
        .route("/v1/transactions/void", post(operations::void))
        .route("/v1/transactions/refund", post(operations::refund))
        .route("/v1/transactions", get(api::list_transactions))
        .route("/v1/payment-methods", get(api::list_payment_methods))
        .route("/sandbox/batches/close", post(control::close_batch))
        .route("/sandbox/faults", post(control::queue_fault))
        .route("/session/{token}", get(hosted_form::show).post(hosted_form::submit))
        .route("/hpf.js", get(hosted_form::script))
        .route("/hpf.css", get(hosted_form::style))
        .with_state(sandbox);
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            tracing::error!(%error, "sandbox server stopped");
        }
    });
    Ok(RunningSandbox {
        addr,
        api_url: format!("{origin}/v1"),
        origin,
        api_key,
    })
}
