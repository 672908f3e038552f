//! paydesk's settings, read once at startup from the configuration (the environment, a file, secret
//! files) and validated: a bad value stops startup with a message naming it. No gateway key means
//! sandbox mode. One file per concern; this one puts them together.

mod commercehub;
mod gateway;
mod merchant;
mod payroc;
mod protection;
mod server;
mod standalone_sandbox;
mod timing;
mod values;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::time::Duration;

use axum::http::HeaderName;
use paydesk_core::state::PayoutLimits;
use secrecy::SecretString;

use crate::rate_limits::RateSettings;
use crate::serve::HttpLimits;
pub use crate::settings_error::SettingsError;
pub use commercehub::{
    CommerceHubMode, DEFAULT_COMMERCEHUB_API_URL, DEFAULT_COMMERCEHUB_SANDBOX_ADDR,
    DEFAULT_COMMERCEHUB_SDK_URL,
};
pub use gateway::{
    GatewayMode, DEFAULT_GATEWAY_URL, DEFAULT_HOSTED_FORM_ORIGIN, DEFAULT_SANDBOX_ADDR,
};
pub use merchant::MerchantWebhookSettings;
pub use payroc::{
    PayrocMode, DEFAULT_PAYROC_API_URL, DEFAULT_PAYROC_IDENTITY_URL, DEFAULT_PAYROC_SANDBOX_ADDR,
};
pub use standalone_sandbox::SandboxSettings;
pub use values::{
    beside, database_url_from, is_sqlite, DEFAULT_LIVE_DATABASE_URL, DEFAULT_SANDBOX_DATABASE_URL,
};

#[derive(Clone, Debug)]
pub struct Settings {
    /// `LEPTOS_SITE_ADDR`.
    pub site_addr: SocketAddr,
    /// `PAYDESK_PUBLIC_URL`; derived from the bound address when absent.
    pub public_url: Option<String>,
    /// `DATABASE_URL`: SQLite for one instance, PostgreSQL for one or several.
    pub database_url: String,
    /// `PAYDESK_DATABASE_POOL_SIZE`: connections this instance keeps to the database (8).
    pub database_pool_size: u32,
    /// `PAYDESK_METRICS_ADDR`: where Prometheus scrapes `/metrics` (its own listener, never the
    /// public one); no metrics when unset.
    pub metrics_addr: Option<SocketAddr>,
    pub gateway: GatewayMode,
    /// `PAYDESK_PAYROC_*`: device refunds.
    pub payroc: PayrocMode,
    pub commercehub: CommerceHubMode,
    pub gateway_timeout: Duration,
    /// `PAYDESK_GATEWAY_STILL_OPEN_SECS`: how long past paydesk's timeout a request may still be
    /// open at a gateway; an unanswered request is not sent again before (30 s).
    pub gateway_still_open: Duration,
    /// `PAYDESK_MERCHANT_TOKEN`: an optional all-scopes API token from the environment (others come
    /// from `paydesk token create`); in sandbox mode one is generated per run when absent.
    pub merchant_token: Option<SecretString>,
    pub frame_ancestors: Vec<String>,
    pub merchant_name: String,
    /// `PAYDESK_BRAND_*`: accent, corner radius, light / dark / auto, logo.
    pub branding: paydesk_core::branding::Branding,
    pub use_javascript_callback: bool,
    pub checkout_ttl: Duration,
    /// `PAYDESK_REFUND_LINK_TTL_SECS`: default lifetime of a refund link (7 days).
    pub refund_link_ttl: Duration,
    /// Key that signs refund-link URLs. Unset: generated once and kept in the database.
    pub link_signing_key: Option<SecretString>,
    /// `PAYDESK_LINK_SIGNING_PREVIOUS_KEY`: while the link-signing key is rolled, the key before it;
    /// links it signed still open until it is removed (after the longest link lifetime).
    pub previous_link_signing_key: Option<SecretString>,
    /// Where paydesk sends its own signed events, if anywhere.
    pub merchant_webhook: Option<MerchantWebhookSettings>,
    /// `PAYDESK_RECONCILE_INTERVAL_MS`: how often the background reconciler looks for due work.
    pub reconcile_interval: Duration,
    /// `PAYDESK_OPERATION_LOST_AFTER_SECS`: how long after it was sent an operation the gateway still
    /// has no record of counts as `lost` (10 minutes).
    pub operation_lost_after: Duration,
    /// `PAYDESK_PAGE_VIEWS_PER_MINUTE`, `PAYDESK_API_REQUESTS_PER_MINUTE`,
    /// `PAYDESK_LOGIN_ATTEMPTS_PER_MINUTE`.
    pub rates: RateSettings,
    /// `PAYDESK_CLIENT_IP_HEADER`: behind a reverse proxy, the header it writes the client's address
    /// into (e.g. `X-Forwarded-For`); unset, the TCP peer is the client.
    pub client_ip_header: Option<HeaderName>,
    /// `PAYDESK_MAX_DECLINES_PER_LINK`: declined cards after which a link locks (card testing) until
    /// the merchant unlocks it (5).
    pub max_declines_per_link: i64,
    /// `PAYDESK_LOGIN_LOCKOUT_SECS`: how long a staff account stays locked after repeated failed
    /// sign-ins (15 minutes).
    pub login_lockout: Duration,
    /// `PAYDESK_CONSOLE_IDLE_SECS`: a console session unused this long ends (30 minutes; it also
    /// ends 8 hours after sign-in).
    pub console_idle: Duration,
    /// `PAYDESK_UNBOUND_PAYOUTS`, `PAYDESK_UNBOUND_PAYOUT_MAX` (and its per-day forms): the caps on
    /// refund links and device refunds not bound to a payment.
    pub payout_limits: PayoutLimits,
    /// `PAYDESK_HTTP_HEADER_TIMEOUT_SECS` (15), `PAYDESK_HTTP_REQUEST_TIMEOUT_SECS` (90: above the
    /// 60 s long polls) and `PAYDESK_HTTP_MAX_CONNECTIONS` (4096): what a client may take of the
    /// server.
    pub http: HttpLimits,
    /// `PAYDESK_MIGRATE_ON_START`: whether startup applies new migrations (true), or leaves that to
    /// `paydesk migrate` and refuses a database that is behind.
    pub migrate_on_start: bool,
}

impl Settings {
    /// Reads settings through `lookup` (the configuration, or a map in tests). Empty values count
    /// as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings, SettingsError> {
        let get = values::trimmed(lookup);
        let server = server::server(&get)?;
        let gateway = gateway::gateway_mode(&get, &server)?;
        let sandbox = matches!(gateway, GatewayMode::Sandbox { .. });
        let merchant = merchant::merchant(&get, &gateway, &server.public_url)?;
        let timing = timing::timing(&get)?;
        let protection = protection::protection(&get)?;
        Ok(Settings {
            payroc: payroc::payroc_mode(&get, sandbox)?,
            commercehub: commercehub::commercehub_mode(&get, sandbox)?,
            use_javascript_callback: values::flag(&get, "PAYDESK_USE_JS_CALLBACK", true)?,
            migrate_on_start: values::flag(&get, "PAYDESK_MIGRATE_ON_START", true)?,
            site_addr: server.site_addr,
            public_url: server.public_url,
            database_url: server.database_url,
            database_pool_size: server.database_pool_size,
            metrics_addr: server.metrics_addr,
            frame_ancestors: server.frame_ancestors,
            gateway,
            merchant_token: merchant.merchant_token,
            merchant_name: merchant.merchant_name,
            branding: merchant.branding,
            link_signing_key: merchant.link_signing_key,
            previous_link_signing_key: merchant.previous_link_signing_key,
            merchant_webhook: merchant.merchant_webhook,
            gateway_timeout: timing.gateway_timeout,
            gateway_still_open: timing.gateway_still_open,
            checkout_ttl: timing.checkout_ttl,
            refund_link_ttl: timing.refund_link_ttl,
            operation_lost_after: timing.operation_lost_after,
            reconcile_interval: timing.reconcile_interval,
            login_lockout: timing.login_lockout,
            console_idle: timing.console_idle,
            rates: protection.rates,
            client_ip_header: protection.client_ip_header,
            max_declines_per_link: protection.max_declines_per_link,
            http: protection.http,
            payout_limits: protection.payout_limits,
        })
    }

    pub fn is_sandbox(&self) -> bool {
        matches!(self.gateway, GatewayMode::Sandbox { .. })
    }
}
