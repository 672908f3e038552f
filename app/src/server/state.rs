//! The state every server function and handler shares, provided to Leptos as context.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::gateway::forms::HostedForms;
use super::gateway::GatewayClient;
use super::link_signer::LinkSigner;
use super::locks::KeyedLocks;
use super::store::Store;

/// Settings the payment flows need (already validated at startup).
#[derive(Clone, Debug)]
pub struct PaymentsConfig {
    /// Absolute base URL customers reach paydesk at, without a trailing slash.
    pub public_url: String,
    /// Shown to customers on every page.
    pub merchant_name: String,
    /// The only origin an iframe URL from the gateway may have.
    pub hosted_form_origin: String,
    /// Ask the hosted form to postMessage its result (it always also redirects to our return URL).
    pub use_javascript_callback: bool,
    /// Origins allowed to embed paydesk pages (`frame-ancestors`).
    pub frame_ancestors: Vec<String>,
    /// Default lifetime of a payment link.
    pub checkout_ttl: Duration,
    /// Default lifetime of a refund link.
    pub refund_link_ttl: Duration,
    /// True when running against the built-in sandbox.
    pub sandbox_mode: bool,
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub gateway: GatewayClient,
    pub forms: HostedForms,
    pub locks: KeyedLocks,
    /// Signs and checks refund-link URLs.
    pub link_signer: LinkSigner,
    pub config: Arc<PaymentsConfig>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
