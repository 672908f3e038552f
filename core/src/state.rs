//! The state every server function and handler shares (the server binary provides it to Leptos as
//! context).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::gateways::commercehub::CommerceHub;
use super::gateways::omni::hosted_forms::HostedForms;
use super::gateways::omni::OmniClient;
use super::gateways::payroc::PayrocClient;
use super::link_signer::LinkSigner;
use super::rate_limit::Limiter;
use super::recent_lookups::RecentLookups;
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
    /// An operation the gateway still has no record of this long after it was sent is `lost`.
    pub operation_lost_after: Duration,
    /// How long after a request was sent it may still be open at its gateway (paydesk's timeout,
    /// then `PAYDESK_GATEWAY_STILL_OPEN_SECS`): it is not sent again before.
    pub resend_quiet: Duration,
    /// Declined cards after which a link locks until the merchant unlocks it (card testing).
    pub max_declines_per_link: i64,
    /// The Payroc processing terminal device refunds name (when device refunds are on).
    pub payroc_terminal_id: Option<String>,
    /// The caps on refund links and device refunds not bound to a payment.
    pub payout_limits: PayoutLimits,
}

/// The caps on unbound payouts (amounts in minor units of the payout's currency; `None`: no cap).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PayoutLimits {
    /// No unbound payout at all: every refund must name the payment it returns.
    pub forbidden: bool,
    /// The most one payout may be.
    pub per_payout: Option<i64>,
    /// The most one staff member or API token may pay out in 24 hours.
    pub per_requester_per_day: Option<i64>,
    /// The most the whole deployment may pay out in 24 hours.
    pub per_day: Option<i64>,
    /// Above this, a second staff member approves before the payout exists (four eyes).
    pub approval_above: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    /// The hosted-form gateway's API client (holds its secret key).
    pub omni: OmniClient,
    /// Payroc Cloud's client, for refunds on payment devices (none: device refunds are off).
    pub payroc: Option<Arc<PayrocClient>>,
    /// Fiserv Commerce Hub, for refunds of charges made there (none: those refunds are off).
    pub commercehub: Option<Arc<CommerceHub>>,
    /// The merchant's hosted forms, by currency.
    pub hosted_forms: HostedForms,
    /// New card forms after a decline ("try again"), per client address (card testing).
    pub card_retries: Arc<Limiter<std::net::IpAddr>>,
    /// Lookups that just found a session untouched, reused by page reloads.
    pub lookups: RecentLookups,
    /// Wakes the background jobs when work is queued for them.
    pub work: WorkSignal,
    /// Wakes the device-refund worker, and tells `?wait=` long polls a device refund changed.
    pub device_refunds: DeviceRefundSignals,
    /// Signs and checks refund-link URLs.
    pub link_signer: LinkSigner,
    pub config: Arc<PaymentsConfig>,
    /// The stylesheet's URL (its name carries its content's hash).
    pub stylesheet: Arc<str>,
    /// The merchant's look on customer pages.
    pub branding: Arc<crate::branding::Branding>,
}

/// Wakes the background jobs early when there is work for them (e.g. a void was queued), instead of
/// waiting for their next tick. A wake-up with no job waiting is kept for the next wait.
#[derive(Clone, Debug, Default)]
pub struct WorkSignal(Arc<Notify>);

impl WorkSignal {
    pub fn nudge(&self) {
        self.0.notify_one();
    }

    pub async fn wait(&self) {
        self.0.notified().await;
    }
}

/// Device refunds' signals: the worker's wake-up, and a change counter that long polls
/// (`GET /api/v1/device-refunds/{id}?wait=`) watch.
#[derive(Clone, Debug)]
pub struct DeviceRefundSignals {
    pub work: WorkSignal,
    changes: Arc<tokio::sync::watch::Sender<u64>>,
}

impl Default for DeviceRefundSignals {
    fn default() -> Self {
        DeviceRefundSignals {
            work: WorkSignal::default(),
            changes: Arc::new(tokio::sync::watch::channel(0).0),
        }
    }
}

impl DeviceRefundSignals {
    /// A device refund changed.
    pub fn changed(&self) {
        self.changes.send_modify(|version| *version += 1);
    }

    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }
}
