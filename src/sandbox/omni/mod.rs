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

use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;

use notifier::Notifier;
use simulator::OmniSandbox;
pub use simulator::OmniSandboxConfig;

/// The simulated Omni gateway, serving in the background.
#[derive(Clone, Debug)]
pub struct RunningOmniSandbox {
    pub addr: SocketAddr,
    /// The API root to configure the client with (`…/v1`).
    pub api_url: String,
    /// The hosted form's origin.
    pub origin: String,
    /// The API key it accepts (also for its `/sandbox/…` controls).
    pub api_key: String,
}

/// Starts serving the sandbox on `listener`.
pub fn start(
    config: OmniSandboxConfig,
    listener: TcpListener,
) -> std::io::Result<RunningOmniSandbox> {
    let addr = listener.local_addr()?;
    let origin = format!("http://{addr}");
    let notifier = Notifier::new(
        config.webhook_url.clone(),
        config.webhook_secret.clone(),
        config.signature_encoding,
        config.webhook_retry_delays.clone(),
    );
    let api_key = config.api_key.clone();
    let sandbox = OmniSandbox {
        config: Arc::new(config),
        memory: Arc::default(),
        notifier,
        origin: origin.clone(),
    };
    let router = Router::new()
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
        .with_state(sandbox);
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            tracing::error!(%error, "sandbox server stopped");
        }
    });
    Ok(RunningOmniSandbox {
        addr,
        api_url: format!("{origin}/v1"),
        origin,
        api_key,
    })
}
