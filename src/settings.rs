//! Configuration from environment variables, validated once at startup. A bad value stops startup
//! with a message naming the variable. No gateway key means sandbox mode.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use axum::http::HeaderName;
use paydesk_core::gateways::omni::signature::SignatureEncoding;
use secrecy::{ExposeSecret, SecretString};

use crate::payout_limit_settings::payout_limits;
use crate::rate_limits::{Rate, RateSettings};
use crate::serve::HttpLimits;
use paydesk_core::origin::{is_https_or_loopback, origin_of};
use paydesk_core::state::PayoutLimits;

pub const DEFAULT_GATEWAY_URL: &str = "https://api.omni.integratedcommerce.io/v1";
pub const DEFAULT_HOSTED_FORM_ORIGIN: &str = "https://hpf.integratedcommerce.io";
/// Live and sandbox data never share a database: each mode has its own default.
pub const DEFAULT_LIVE_DATABASE_URL: &str = "sqlite://data/paydesk.db";
pub const DEFAULT_SANDBOX_DATABASE_URL: &str = "sqlite://data/sandbox/paydesk.db";

/// The database `DATABASE_URL` names, or the default of the mode the environment selects (live when
/// `PAYDESK_GATEWAY_API_KEY` is set). The server and the CLI agree on it.
pub fn database_url_from(get: impl Fn(&str) -> Option<String>) -> String {
    get("DATABASE_URL").unwrap_or_else(|| {
        if get("PAYDESK_GATEWAY_API_KEY").is_some() {
            DEFAULT_LIVE_DATABASE_URL.into()
        } else {
            DEFAULT_SANDBOX_DATABASE_URL.into()
        }
    })
}

/// A secret shorter than this is refused (a webhook secret in live mode, a merchant webhook secret).
const MIN_SECRET_LEN: usize = 24;
pub const DEFAULT_SANDBOX_ADDR: &str = "127.0.0.1:3100";
pub const DEFAULT_PAYROC_API_URL: &str = "https://api.payroc.com/v1";
pub const DEFAULT_PAYROC_IDENTITY_URL: &str = "https://identity.payroc.com";
pub const DEFAULT_PAYROC_SANDBOX_ADDR: &str = "127.0.0.1:3400";
pub const DEFAULT_COMMERCEHUB_API_URL: &str = "https://prod.api.fiservapps.com/ch";
pub const DEFAULT_COMMERCEHUB_SDK_URL: &str =
    "https://commercehub-secure-data-capture.fiservapps.com/3.6.0/checkout.js";
pub const DEFAULT_COMMERCEHUB_SANDBOX_ADDR: &str = "127.0.0.1:3500";

use crate::settings_error::bad;
pub use crate::settings_error::SettingsError;

/// Which gateway paydesk talks to.
#[derive(Clone, Debug)]
pub enum GatewayMode {
    /// The real gateway.
    Live {
        url: String,
        api_key: SecretString,
        hosted_form_origin: String,
        webhook_secret: SecretString,
        /// `PAYDESK_WEBHOOK_PREVIOUS_SECRET`: while the gateway's secret is being rolled, the one
        /// before it is accepted too.
        previous_webhook_secret: Option<SecretString>,
    },
    /// The built-in imitation, served on its own address (so on another origin).
    Sandbox {
        addr: SocketAddr,
        session_ttl: Duration,
        signature_encoding: SignatureEncoding,
        /// Generated at startup when not configured.
        webhook_secret: Option<SecretString>,
        /// `PAYDESK_SANDBOX_API_KEY`: the key the sandbox accepts; generated when not configured.
        api_key: Option<SecretString>,
        /// `PAYDESK_DEMO_STOREFRONT_ADDR`: where the example storefront that embeds paydesk listens
        /// (`off` to disable).
        storefront_addr: Option<SocketAddr>,
        /// `PAYDESK_SANDBOX_DATABASE_URL`: the simulated gateway's own database (default:
        /// `sandbox-gateway.db` beside paydesk's; none for an in-memory paydesk database).
        database_url: Option<String>,
        /// `PAYDESK_SANDBOX_VARIANTS_SEED`: the Payroc and Commerce Hub simulators answer in each
        /// documented variant, drawn from this seed (none: canonical answers).
        variants_seed: Option<u64>,
    },
}

/// Where device refunds go (Payroc Cloud).
#[derive(Clone, Debug)]
pub enum PayrocMode {
    /// The real Payroc Cloud.
    Live {
        api_url: String,
        identity_url: String,
        api_key: SecretString,
        /// `PAYDESK_PAYROC_TERMINAL_ID`: the processing terminal instructions name.
        terminal_id: String,
    },
    /// The built-in simulator with its virtual terminals, on its own address.
    Sandbox {
        addr: SocketAddr,
        /// How long it holds a poll while nothing changes.
        hold: Duration,
    },
    /// Live payments without Payroc: no device refunds.
    Off,
}

/// Where refunds of Commerce Hub charges go.
#[derive(Clone, Debug)]
pub enum CommerceHubMode {
    /// The real Commerce Hub.
    Live {
        /// `PAYDESK_COMMERCEHUB_API_URL`, e.g. `https://prod.api.fiservapps.com/ch`.
        api_url: String,
        api_key: SecretString,
        api_secret: SecretString,
        merchant_id: String,
        terminal_id: String,
        /// `PAYDESK_COMMERCEHUB_SDK_URL`: the Hosted Fields `checkout.js`.
        sdk_url: String,
        /// `PAYDESK_COMMERCEHUB_SDK_INTEGRITY`: its Subresource Integrity digest, if pinned.
        sdk_integrity: Option<String>,
        closed_account_codes: Vec<String>,
    },
    /// The built-in simulator with its Hosted Fields, on its own address.
    Sandbox {
        addr: SocketAddr,
        closed_account_codes: Vec<String>,
    },
    /// Live payments without Commerce Hub: no such refunds.
    Off,
}

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

/// `PAYDESK_MERCHANT_WEBHOOK_*`: the merchant's endpoint for paydesk's events.
#[derive(Clone, Debug)]
pub struct MerchantWebhookSettings {
    pub url: String,
    pub secret: SecretString,
    /// `PAYDESK_MERCHANT_WEBHOOK_PREVIOUS_SECRET`: while the secret is being rolled, events carry a
    /// signature by the one before it too.
    pub previous_secret: Option<SecretString>,
    pub retry_base: Duration,
    pub max_attempts: i64,
}

impl Settings {
    /// Reads settings through `lookup` (the environment, or a map in tests). Empty values count as
    /// unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings, SettingsError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };

        let site_addr: SocketAddr = get("LEPTOS_SITE_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .map_err(|_| {
                bad(
                    "LEPTOS_SITE_ADDR",
                    "expected host:port, e.g. 127.0.0.1:3000",
                )
            })?;

        let public_url = get("PAYDESK_PUBLIC_URL")
            .map(|url| {
                let trimmed = url.trim_end_matches('/').to_string();
                match origin_of(&trimmed) {
                    Some(_) if !trimmed.contains(['?', '#']) => Ok(trimmed),
                    _ => Err(bad(
                        "PAYDESK_PUBLIC_URL",
                        format!("expected an absolute http(s) URL such as https://pay.example.com, got {url:?}"),
                    )),
                }
            })
            .transpose()?;

        let database_url = database_url_from(get);
        if !is_sqlite(&database_url)
            && !database_url.starts_with("postgres://")
            && !database_url.starts_with("postgresql://")
        {
            return Err(bad(
                "DATABASE_URL",
                "expected a sqlite: URL (one instance, e.g. sqlite://data/paydesk.db) or a postgres:// URL \
                 (one or several instances, e.g. postgres://paydesk@db.internal/paydesk)",
            ));
        }
        let database_pool_size = count(&get, "PAYDESK_DATABASE_POOL_SIZE", 8, 1..=500)?;
        let metrics_addr = get("PAYDESK_METRICS_ADDR")
            .map(|addr| match addr.parse::<SocketAddr>() {
                Ok(addr) if addr == site_addr && addr.port() != 0 => Err(bad(
                    "PAYDESK_METRICS_ADDR",
                    "must differ from LEPTOS_SITE_ADDR: metrics are served on their own listener",
                )),
                Ok(addr) => Ok(addr),
                Err(_) => Err(bad(
                    "PAYDESK_METRICS_ADDR",
                    "expected host:port, e.g. 127.0.0.1:9464",
                )),
            })
            .transpose()?;

        let frame_ancestors = get("PAYDESK_FRAME_ANCESTORS")
            .map(|list| parse_origins("PAYDESK_FRAME_ANCESTORS", &list))
            .transpose()?
            .unwrap_or_default();

        let gateway_timeout =
            Duration::from_secs(secs(&get, "PAYDESK_GATEWAY_TIMEOUT_SECS", 30, 1..=120)?);
        let gateway_still_open =
            Duration::from_secs(secs(&get, "PAYDESK_GATEWAY_STILL_OPEN_SECS", 30, 0..=600)?);
        let checkout_ttl = Duration::from_secs(secs(
            &get,
            "PAYDESK_CHECKOUT_TTL_SECS",
            24 * 3600,
            60..=30 * 24 * 3600,
        )?);
        let operation_lost_after = Duration::from_secs(secs(
            &get,
            "PAYDESK_OPERATION_LOST_AFTER_SECS",
            600,
            5..=7 * 24 * 3600,
        )?);
        let refund_link_ttl = Duration::from_secs(secs(
            &get,
            "PAYDESK_REFUND_LINK_TTL_SECS",
            7 * 24 * 3600,
            10..=30 * 24 * 3600,
        )?);
        let use_javascript_callback = flag(&get, "PAYDESK_USE_JS_CALLBACK", true)?;
        let migrate_on_start = flag(&get, "PAYDESK_MIGRATE_ON_START", true)?;
        let merchant_token = get("PAYDESK_MERCHANT_TOKEN").map(SecretString::from);
        if let Some(token) = &merchant_token {
            if token.expose_secret().len() < 24 {
                return Err(bad(
                    "PAYDESK_MERCHANT_TOKEN",
                    "must be at least 24 characters (use a long random value)",
                ));
            }
        }

        let gateway = match get("PAYDESK_GATEWAY_API_KEY") {
            Some(api_key) => {
                let url = live_gateway_url(
                    "PAYDESK_GATEWAY_URL",
                    get("PAYDESK_GATEWAY_URL").unwrap_or_else(|| DEFAULT_GATEWAY_URL.into()),
                )?;
                let hosted_form_origin = get("PAYDESK_GATEWAY_HPF_ORIGIN")
                    .unwrap_or_else(|| DEFAULT_HOSTED_FORM_ORIGIN.into());
                if origin_of(&hosted_form_origin).as_deref() != Some(hosted_form_origin.as_str()) {
                    return Err(bad(
                        "PAYDESK_GATEWAY_HPF_ORIGIN",
                        format!("expected an origin such as https://hpf.example.com, got {hosted_form_origin:?}"),
                    ));
                }
                let webhook_secret = get("PAYDESK_WEBHOOK_SECRET")
                    .map(SecretString::from)
                    .ok_or_else(|| bad("PAYDESK_WEBHOOK_SECRET", "required with PAYDESK_GATEWAY_API_KEY: the secret the gateway signs webhooks with"))?;
                if webhook_secret.expose_secret().len() < MIN_SECRET_LEN {
                    return Err(bad(
                        "PAYDESK_WEBHOOK_SECRET",
                        format!("must be at least {MIN_SECRET_LEN} characters in live mode: a short secret lets anyone forge the gateway's webhooks (ask the gateway for a longer one)"),
                    ));
                }
                match public_url.as_deref() {
                    None => return Err(bad("PAYDESK_PUBLIC_URL", "required with PAYDESK_GATEWAY_API_KEY: the https URL customers reach paydesk at")),
                    Some(url) if !is_https_or_loopback(url) => {
                        return Err(bad(
                            "PAYDESK_PUBLIC_URL",
                            format!("must be https:// in live mode (card pages, staff cookies and refund links never travel in clear), got {url:?}"),
                        ))
                    }
                    Some(_) => {}
                }
                GatewayMode::Live {
                    url,
                    api_key: SecretString::from(api_key),
                    hosted_form_origin,
                    webhook_secret,
                    previous_webhook_secret: rolled_secret(
                        &get,
                        "PAYDESK_WEBHOOK_PREVIOUS_SECRET",
                    )?,
                }
            }
            None => {
                if get("PAYDESK_GATEWAY_URL").is_some() {
                    return Err(bad(
                        "PAYDESK_GATEWAY_URL",
                        "is set but PAYDESK_GATEWAY_API_KEY is not; set both for the real gateway, or neither for the sandbox",
                    ));
                }
                let addr: SocketAddr = get("PAYDESK_SANDBOX_ADDR")
                    .unwrap_or_else(|| DEFAULT_SANDBOX_ADDR.into())
                    .parse()
                    .map_err(|_| {
                        bad(
                            "PAYDESK_SANDBOX_ADDR",
                            "expected host:port, e.g. 127.0.0.1:3100",
                        )
                    })?;
                if addr == site_addr && addr.port() != 0 {
                    return Err(bad(
                        "PAYDESK_SANDBOX_ADDR",
                        "must differ from LEPTOS_SITE_ADDR: the hosted form needs its own origin",
                    ));
                }
                let storefront_addr = match get("PAYDESK_DEMO_STOREFRONT_ADDR").as_deref() {
                    Some("off") => None,
                    other => Some(
                        other
                            .unwrap_or("127.0.0.1:3200")
                            .parse::<SocketAddr>()
                            .map_err(|_| {
                                bad(
                                    "PAYDESK_DEMO_STOREFRONT_ADDR",
                                    "expected host:port (e.g. 127.0.0.1:3200) or off",
                                )
                            })?,
                    ),
                };
                let signature_encoding = match get("PAYDESK_SANDBOX_WEBHOOK_ENCODING").as_deref() {
                    None | Some("hex") => SignatureEncoding::Hex,
                    Some("base64") => SignatureEncoding::Base64,
                    Some(other) => {
                        return Err(bad(
                            "PAYDESK_SANDBOX_WEBHOOK_ENCODING",
                            format!("expected hex or base64, got {other:?}"),
                        ))
                    }
                };
                GatewayMode::Sandbox {
                    addr,
                    session_ttl: Duration::from_secs(secs(
                        &get,
                        "PAYDESK_SANDBOX_SESSION_TTL_SECS",
                        15 * 60,
                        10..=24 * 3600,
                    )?),
                    signature_encoding,
                    webhook_secret: get("PAYDESK_WEBHOOK_SECRET").map(SecretString::from),
                    api_key: get("PAYDESK_SANDBOX_API_KEY").map(SecretString::from),
                    storefront_addr,
                    database_url: get("PAYDESK_SANDBOX_DATABASE_URL")
                        .map(|url| sqlite_url("PAYDESK_SANDBOX_DATABASE_URL", url))
                        .transpose()?
                        .or_else(|| beside(&database_url, "sandbox-gateway.db")),
                    variants_seed: variants_seed(&get)?,
                }
            }
        };

        let merchant_name = get("PAYDESK_MERCHANT_NAME").unwrap_or_else(|| match &gateway {
            GatewayMode::Sandbox { .. } => "Demo Store".into(),
            GatewayMode::Live { .. } => public_url
                .as_deref()
                .and_then(origin_of)
                .map(|o| o.split("://").nth(1).unwrap_or_default().to_string())
                .unwrap_or_else(|| "paydesk".into()),
        });
        if merchant_name.chars().count() > 100 {
            return Err(bad(
                "PAYDESK_MERCHANT_NAME",
                "must be at most 100 characters",
            ));
        }

        let branding = crate::brand_settings::branding(&get)?;

        let link_signing_key = get("PAYDESK_LINK_SIGNING_KEY").map(SecretString::from);
        let previous_link_signing_key =
            get("PAYDESK_LINK_SIGNING_PREVIOUS_KEY").map(SecretString::from);
        if previous_link_signing_key
            .as_ref()
            .is_some_and(|k| k.expose_secret().len() < 32)
        {
            return Err(bad(
                "PAYDESK_LINK_SIGNING_PREVIOUS_KEY",
                "must be at least 32 characters, as the key",
            ));
        }
        if link_signing_key
            .as_ref()
            .is_some_and(|k| k.expose_secret().len() < 32)
        {
            return Err(bad(
                "PAYDESK_LINK_SIGNING_KEY",
                "must be at least 32 characters (e.g. `openssl rand -hex 32`)",
            ));
        }

        let merchant_webhook = match get("PAYDESK_MERCHANT_WEBHOOK_URL") {
            None => None,
            Some(url) => {
                if origin_of(&url).is_none() {
                    return Err(bad(
                        "PAYDESK_MERCHANT_WEBHOOK_URL",
                        "expected an absolute http:// or https:// URL",
                    ));
                }
                if matches!(gateway, GatewayMode::Live { .. }) && !is_https_or_loopback(&url) {
                    return Err(bad(
                        "PAYDESK_MERCHANT_WEBHOOK_URL",
                        format!("must be https:// in live mode (events name payments and payout links), got {url:?}"),
                    ));
                }
                let secret = get("PAYDESK_MERCHANT_WEBHOOK_SECRET")
                    .filter(|s| s.len() >= MIN_SECRET_LEN)
                    .map(SecretString::from)
                    .ok_or_else(|| {
                        bad(
                            "PAYDESK_MERCHANT_WEBHOOK_SECRET",
                            "required with PAYDESK_MERCHANT_WEBHOOK_URL, at least 24 characters",
                        )
                    })?;
                let retry_base_ms = get("PAYDESK_MERCHANT_WEBHOOK_RETRY_BASE_MS")
                    .map(|v| {
                        v.parse::<u64>()
                            .ok()
                            .filter(|ms| (10..=3_600_000).contains(ms))
                    })
                    .unwrap_or(Some(10_000))
                    .ok_or_else(|| {
                        bad(
                            "PAYDESK_MERCHANT_WEBHOOK_RETRY_BASE_MS",
                            "expected milliseconds between 10 and 3600000",
                        )
                    })?;
                let max_attempts = get("PAYDESK_MERCHANT_WEBHOOK_MAX_ATTEMPTS")
                    .map(|v| v.parse::<i64>().ok().filter(|n| (1..=30).contains(n)))
                    .unwrap_or(Some(12))
                    .ok_or_else(|| {
                        bad(
                            "PAYDESK_MERCHANT_WEBHOOK_MAX_ATTEMPTS",
                            "expected a number between 1 and 30",
                        )
                    })?;
                Some(MerchantWebhookSettings {
                    url,
                    secret,
                    previous_secret: rolled_secret(
                        &get,
                        "PAYDESK_MERCHANT_WEBHOOK_PREVIOUS_SECRET",
                    )?,
                    retry_base: Duration::from_millis(retry_base_ms),
                    max_attempts,
                })
            }
        };

        let reconcile_interval_ms = get("PAYDESK_RECONCILE_INTERVAL_MS")
            .map(|v| {
                v.parse::<u64>()
                    .ok()
                    .filter(|ms| (50..=600_000).contains(ms))
            })
            .unwrap_or(Some(5_000))
            .ok_or_else(|| {
                bad(
                    "PAYDESK_RECONCILE_INTERVAL_MS",
                    "expected milliseconds between 50 and 600000",
                )
            })?;

        let rate = |variable: &'static str, default: u32, per: fn(NonZeroU32) -> Rate| {
            count(&get, variable, default, 1..=1_000_000)
                .map(|n| per(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)))
        };
        let card_retries = rate("PAYDESK_CARD_RETRIES_PER_HOUR", 30, Rate::per_hour)?;
        let rates = RateSettings {
            card_retries,
            page_views: rate("PAYDESK_PAGE_VIEWS_PER_MINUTE", 120, Rate::per_minute)?,
            api_requests: rate("PAYDESK_API_REQUESTS_PER_MINUTE", 1200, Rate::per_minute)?,
            // A person retyping a password may try several times at once.
            login_attempts: rate("PAYDESK_LOGIN_ATTEMPTS_PER_MINUTE", 10, Rate::per_minute)?
                .whole_period_at_once(),
            // A backend whose token was revoked retries: it hears 401 for a while, then 429.
            api_bad_tokens: rate("PAYDESK_API_BAD_TOKENS_PER_MINUTE", 30, Rate::per_minute)?
                .whole_period_at_once(),
        };
        let client_ip_header = get("PAYDESK_CLIENT_IP_HEADER")
            .map(|name| {
                HeaderName::try_from(name.to_ascii_lowercase()).map_err(|_| {
                    bad(
                        "PAYDESK_CLIENT_IP_HEADER",
                        "expected a header name, e.g. X-Forwarded-For",
                    )
                })
            })
            .transpose()?;
        let login_lockout = Duration::from_secs(secs(
            &get,
            "PAYDESK_LOGIN_LOCKOUT_SECS",
            900,
            1..=24 * 3600,
        )?);

        let max_declines_per_link =
            i64::from(count(&get, "PAYDESK_MAX_DECLINES_PER_LINK", 5, 1..=100)?);
        let http = http_limits(&get)?;
        let payout_limits = payout_limits(&get)?;
        let console_idle =
            Duration::from_secs(secs(&get, "PAYDESK_CONSOLE_IDLE_SECS", 1800, 1..=8 * 3600)?);

        let payroc = payroc_mode(&get, matches!(gateway, GatewayMode::Sandbox { .. }))?;
        let commercehub = commercehub_mode(&get, matches!(gateway, GatewayMode::Sandbox { .. }))?;

        Ok(Settings {
            payroc,
            commercehub,
            database_pool_size,
            metrics_addr,
            max_declines_per_link,
            payout_limits,
            rates,
            client_ip_header,
            login_lockout,
            console_idle,
            http,
            migrate_on_start,
            reconcile_interval: Duration::from_millis(reconcile_interval_ms),
            operation_lost_after,
            merchant_webhook,
            link_signing_key,
            previous_link_signing_key,
            site_addr,
            public_url,
            database_url,
            gateway,
            gateway_timeout,
            gateway_still_open,
            merchant_token,
            frame_ancestors,
            merchant_name,
            branding,
            use_javascript_callback,
            checkout_ttl,
            refund_link_ttl,
        })
    }

    pub fn is_sandbox(&self) -> bool {
        matches!(self.gateway, GatewayMode::Sandbox { .. })
    }
}

/// Device refunds: the real Payroc with a key (only beside the real hosted-form gateway: sandbox data
/// never moves real money), the simulator in sandbox mode, or none.
fn payroc_mode(
    get: &impl Fn(&str) -> Option<String>,
    sandbox: bool,
) -> Result<PayrocMode, SettingsError> {
    match get("PAYDESK_PAYROC_API_KEY") {
        Some(_) if sandbox => Err(bad(
            "PAYDESK_PAYROC_API_KEY",
            "is set but paydesk runs in sandbox mode: real device refunds need live mode too (set PAYDESK_GATEWAY_API_KEY), or unset it to use the Payroc simulator",
        )),
        Some(api_key) => {
            let url = |variable: &'static str, default: &str| {
                let value = get(variable).unwrap_or_else(|| default.into());
                live_gateway_url(variable, value).map(|url| url.trim_end_matches('/').to_string())
            };
            let terminal_id = get("PAYDESK_PAYROC_TERMINAL_ID")
                .filter(|id| (4..=50).contains(&id.len()))
                .ok_or_else(|| {
                    bad(
                        "PAYDESK_PAYROC_TERMINAL_ID",
                        "required with PAYDESK_PAYROC_API_KEY: the processing terminal id (4 to 50 characters)",
                    )
                })?;
            Ok(PayrocMode::Live {
                api_url: url("PAYDESK_PAYROC_API_URL", DEFAULT_PAYROC_API_URL)?,
                identity_url: url("PAYDESK_PAYROC_IDENTITY_URL", DEFAULT_PAYROC_IDENTITY_URL)?,
                api_key: SecretString::from(api_key),
                terminal_id,
            })
        }
        None if sandbox => match get("PAYDESK_PAYROC_SANDBOX_ADDR").as_deref() {
            Some("off") => Ok(PayrocMode::Off),
            other => Ok(PayrocMode::Sandbox {
                addr: other
                    .unwrap_or(DEFAULT_PAYROC_SANDBOX_ADDR)
                    .parse()
                    .map_err(|_| {
                        bad(
                            "PAYDESK_PAYROC_SANDBOX_ADDR",
                            "expected host:port (e.g. 127.0.0.1:3400) or off",
                        )
                    })?,
                hold: Duration::from_secs(secs(get, "PAYDESK_PAYROC_SANDBOX_HOLD_SECS", 55, 1..=60)?),
            }),
        },
        None => Ok(PayrocMode::Off),
    }
}

/// Commerce Hub refunds: the real Commerce Hub with a key (only beside the real hosted-form gateway:
/// sandbox data never moves real money), the simulator in sandbox mode, or none.
fn commercehub_mode(
    get: &impl Fn(&str) -> Option<String>,
    sandbox: bool,
) -> Result<CommerceHubMode, SettingsError> {
    let closed_account_codes = match get("PAYDESK_COMMERCEHUB_CLOSED_ACCOUNT_CODES") {
        None => paydesk_core::gateways::commercehub::interpret::CLOSED_ACCOUNT_CODES
            .iter()
            .map(|c| c.to_string())
            .collect(),
        Some(list) => {
            let codes: Vec<String> = list
                .split(',')
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect();
            if codes.is_empty()
                || codes
                    .iter()
                    .any(|c| c.len() > 8 || !c.bytes().all(|b| b.is_ascii_alphanumeric()))
            {
                return Err(bad(
                    "PAYDESK_COMMERCEHUB_CLOSED_ACCOUNT_CODES",
                    "expected a comma-separated list of response codes, e.g. 030,053,324",
                ));
            }
            codes
        }
    };
    match get("PAYDESK_COMMERCEHUB_API_KEY") {
        Some(_) if sandbox => Err(bad(
            "PAYDESK_COMMERCEHUB_API_KEY",
            "is set but paydesk runs in sandbox mode: real Commerce Hub refunds need live mode too (set PAYDESK_GATEWAY_API_KEY), or unset it to use the Commerce Hub simulator",
        )),
        Some(api_key) => {
            let required = |variable: &'static str, what: &str| {
                get(variable)
                    .filter(|v| !v.trim().is_empty() && v.len() <= 1024)
                    .ok_or_else(|| bad(variable, format!("required with PAYDESK_COMMERCEHUB_API_KEY: {what}")))
            };
            let url = |variable: &'static str, default: &str| {
                let value = get(variable).unwrap_or_else(|| default.into());
                live_gateway_url(variable, value).map(|url| url.trim_end_matches('/').to_string())
            };
            Ok(CommerceHubMode::Live {
                api_url: url("PAYDESK_COMMERCEHUB_API_URL", DEFAULT_COMMERCEHUB_API_URL)?,
                api_key: SecretString::from(api_key),
                api_secret: SecretString::from(required("PAYDESK_COMMERCEHUB_API_SECRET", "the API secret that signs requests")?),
                merchant_id: required("PAYDESK_COMMERCEHUB_MERCHANT_ID", "the merchant id")?,
                terminal_id: required("PAYDESK_COMMERCEHUB_TERMINAL_ID", "the terminal id")?,
                sdk_url: url("PAYDESK_COMMERCEHUB_SDK_URL", DEFAULT_COMMERCEHUB_SDK_URL)?,
                sdk_integrity: get("PAYDESK_COMMERCEHUB_SDK_INTEGRITY")
                    .map(|digest| sri_digest("PAYDESK_COMMERCEHUB_SDK_INTEGRITY", digest))
                    .transpose()?,
                closed_account_codes,
            })
        }
        None if sandbox => match get("PAYDESK_COMMERCEHUB_SANDBOX_ADDR").as_deref() {
            Some("off") => Ok(CommerceHubMode::Off),
            other => Ok(CommerceHubMode::Sandbox {
                addr: other
                    .unwrap_or(DEFAULT_COMMERCEHUB_SANDBOX_ADDR)
                    .parse()
                    .map_err(|_| {
                        bad(
                            "PAYDESK_COMMERCEHUB_SANDBOX_ADDR",
                            "expected host:port (e.g. 127.0.0.1:3500) or off",
                        )
                    })?,
                closed_account_codes,
            }),
        },
        None => Ok(CommerceHubMode::Off),
    }
}

/// `paydesk sandbox`: the simulated gateway run on its own, for a paydesk in live mode to talk to.
#[derive(Clone, Debug)]
pub struct SandboxSettings {
    /// `PAYDESK_SANDBOX_ADDR`.
    pub addr: SocketAddr,
    /// `PAYDESK_SANDBOX_API_KEY`: the key it accepts (generated and printed when unset).
    pub api_key: Option<SecretString>,
    /// `PAYDESK_WEBHOOK_SECRET`: what it signs webhooks with (generated and printed when unset).
    pub webhook_secret: Option<SecretString>,
    /// `PAYDESK_SANDBOX_WEBHOOK_URL`: paydesk's webhook endpoint.
    pub webhook_url: String,
    /// `PAYDESK_SANDBOX_MERCHANT_ORIGINS`: the origins that may frame its hosted form (paydesk's
    /// own first: results are posted to it).
    pub merchant_origins: Vec<String>,
    pub session_ttl: Duration,
    pub signature_encoding: SignatureEncoding,
    /// `PAYDESK_SANDBOX_DATABASE_URL`: where it keeps its transactions.
    pub database_url: String,
    /// `PAYDESK_PAYROC_SANDBOX_ADDR`: the Payroc simulator beside it (none with `off`), and how long
    /// it holds a poll (`PAYDESK_PAYROC_SANDBOX_HOLD_SECS`).
    pub payroc: Option<(SocketAddr, Duration)>,
    /// `PAYDESK_COMMERCEHUB_SANDBOX_ADDR`: the Commerce Hub simulator beside it (none with `off`).
    pub commercehub: Option<SocketAddr>,
    /// `PAYDESK_SANDBOX_VARIANTS_SEED`: answers in each documented variant, drawn from this seed.
    pub variants_seed: Option<u64>,
    /// `PAYDESK_COMMERCEHUB_API_SECRET`: the secret it checks signatures with (generated and
    /// printed when unset).
    pub commercehub_secret: Option<SecretString>,
}

impl SandboxSettings {
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<SandboxSettings, SettingsError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let addr = get("PAYDESK_SANDBOX_ADDR")
            .unwrap_or_else(|| DEFAULT_SANDBOX_ADDR.into())
            .parse()
            .map_err(|_| {
                bad(
                    "PAYDESK_SANDBOX_ADDR",
                    "expected host:port, e.g. 127.0.0.1:3100",
                )
            })?;
        let webhook_url = get("PAYDESK_SANDBOX_WEBHOOK_URL")
            .unwrap_or_else(|| "http://127.0.0.1:3000/webhooks/gateway".into());
        if origin_of(&webhook_url).is_none() {
            return Err(bad(
                "PAYDESK_SANDBOX_WEBHOOK_URL",
                "expected an absolute http(s) URL",
            ));
        }
        let merchant_origins = parse_origins(
            "PAYDESK_SANDBOX_MERCHANT_ORIGINS",
            &get("PAYDESK_SANDBOX_MERCHANT_ORIGINS")
                .unwrap_or_else(|| "http://127.0.0.1:3000".into()),
        )?;
        let signature_encoding = match get("PAYDESK_SANDBOX_WEBHOOK_ENCODING").as_deref() {
            None | Some("hex") => SignatureEncoding::Hex,
            Some("base64") => SignatureEncoding::Base64,
            Some(other) => {
                return Err(bad(
                    "PAYDESK_SANDBOX_WEBHOOK_ENCODING",
                    format!("expected hex or base64, got {other:?}"),
                ))
            }
        };
        let payroc = match payroc_mode(&get, true)? {
            PayrocMode::Sandbox { addr, hold } => Some((addr, hold)),
            _ => None,
        };
        let commercehub = match commercehub_mode(&get, true)? {
            CommerceHubMode::Sandbox { addr, .. } => Some(addr),
            _ => None,
        };
        Ok(SandboxSettings {
            variants_seed: variants_seed(&get)?,
            payroc,
            commercehub,
            commercehub_secret: get("PAYDESK_COMMERCEHUB_API_SECRET").map(SecretString::from),
            addr,
            api_key: get("PAYDESK_SANDBOX_API_KEY").map(SecretString::from),
            webhook_secret: get("PAYDESK_WEBHOOK_SECRET").map(SecretString::from),
            webhook_url,
            merchant_origins,
            session_ttl: Duration::from_secs(secs(
                &get,
                "PAYDESK_SANDBOX_SESSION_TTL_SECS",
                15 * 60,
                10..=24 * 3600,
            )?),
            signature_encoding,
            database_url: sqlite_url(
                "PAYDESK_SANDBOX_DATABASE_URL",
                get("PAYDESK_SANDBOX_DATABASE_URL")
                    .unwrap_or_else(|| "sqlite://data/sandbox-gateway.db".into()),
            )?,
        })
    }
}

/// `PAYDESK_SANDBOX_VARIANTS_SEED`: a number (the chaos suite passes its seed), or `off`.
fn variants_seed(get: &impl Fn(&str) -> Option<String>) -> Result<Option<u64>, SettingsError> {
    match get("PAYDESK_SANDBOX_VARIANTS_SEED").as_deref() {
        None | Some("off") => Ok(None),
        Some(seed) => seed.parse().map(Some).map_err(|_| {
            bad(
                "PAYDESK_SANDBOX_VARIANTS_SEED",
                "expected a whole number from 0 to 18446744073709551615, or off",
            )
        }),
    }
}

/// A `sqlite:` URL, or an error naming `variable`.
/// Whether `url` names a SQLite database.
pub fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

fn sqlite_url(variable: &'static str, url: String) -> Result<String, SettingsError> {
    if url.starts_with("sqlite:") {
        Ok(url)
    } else {
        Err(bad(
            variable,
            "expected a sqlite: URL, e.g. sqlite://data/sandbox-gateway.db",
        ))
    }
}

/// The URL of a database file named `file` in the same directory as the SQLite database `url`
/// (`None` for an in-memory one); beside the sandbox's default database when `url` is not SQLite.
pub fn beside(url: &str, file: &str) -> Option<String> {
    if !is_sqlite(url) {
        // PostgreSQL: the sandbox's own files go where a sandbox on SQLite would keep them.
        return beside(DEFAULT_SANDBOX_DATABASE_URL, file);
    }
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    let dir = std::path::Path::new(path)
        .parent()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    Some(if dir.is_empty() {
        format!("sqlite://{file}")
    } else {
        format!("sqlite://{dir}/{file}")
    })
}

/// The secret before the current one while it is being rolled (`variable`), if set: as long as a
/// current one.
fn rolled_secret(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
) -> Result<Option<SecretString>, SettingsError> {
    match get(variable) {
        None => Ok(None),
        Some(secret) if secret.len() >= MIN_SECRET_LEN => Ok(Some(SecretString::from(secret))),
        Some(_) => Err(bad(
            variable,
            format!("must be at least {MIN_SECRET_LEN} characters, as the current secret"),
        )),
    }
}

/// A gateway's API URL in live mode: https (or a loopback address, for a gateway's simulator on
/// the same machine) — keys and card tokens never travel in clear.
fn live_gateway_url(variable: &'static str, url: String) -> Result<String, SettingsError> {
    if origin_of(&url).is_none() {
        return Err(bad(
            variable,
            format!("expected an absolute https URL, got {url:?}"),
        ));
    }
    if !is_https_or_loopback(&url) {
        return Err(bad(
            variable,
            format!("must be https:// in live mode (API keys and card tokens never travel in clear), got {url:?}"),
        ));
    }
    Ok(url)
}

/// `PAYDESK_HTTP_*`: the deadline of a request's headers and of a whole request, and the cap on
/// open connections.
fn http_limits(get: &impl Fn(&str) -> Option<String>) -> Result<HttpLimits, SettingsError> {
    let header_timeout = secs(get, "PAYDESK_HTTP_HEADER_TIMEOUT_SECS", 15, 1..=300)?;
    let request_timeout = secs(get, "PAYDESK_HTTP_REQUEST_TIMEOUT_SECS", 90, 1..=3600)?;
    let max_connections = count(get, "PAYDESK_HTTP_MAX_CONNECTIONS", 4096, 1..=1_000_000)?;
    Ok(HttpLimits {
        header_timeout: Duration::from_secs(header_timeout),
        request_timeout: Duration::from_secs(request_timeout),
        max_connections: max_connections as usize,
    })
}

/// A Subresource Integrity digest: `sha256-`, `sha384-` or `sha512-` and the base64 of a digest of
/// that length.
fn sri_digest(variable: &'static str, digest: String) -> Result<String, SettingsError> {
    use base64::Engine;
    let length = |prefix: &str| {
        digest
            .strip_prefix(prefix)
            .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
            .map(|bytes| bytes.len())
    };
    match (length("sha256-"), length("sha384-"), length("sha512-")) {
        (Some(32), _, _) | (_, Some(48), _) | (_, _, Some(64)) => Ok(digest),
        _ => Err(bad(
            variable,
            "expected a Subresource Integrity digest such as sha384-<base64 of 48 bytes>",
        )),
    }
}

/// A whole number in `range` (`default` when unset).
fn count(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, SettingsError> {
    match get(variable) {
        None => Ok(default),
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                bad(
                    variable,
                    format!(
                        "expected a number between {} and {}, got {text:?}",
                        range.start(),
                        range.end()
                    ),
                )
            }),
    }
}

fn secs(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, SettingsError> {
    match get(variable) {
        None => Ok(default),
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|v| range.contains(v))
            .ok_or_else(|| {
                bad(
                    variable,
                    format!(
                        "expected a number of seconds between {} and {}, got {text:?}",
                        range.start(),
                        range.end()
                    ),
                )
            }),
    }
}

/// A `true` / `false` (or `1` / `0`) setting.
fn flag(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: bool,
) -> Result<bool, SettingsError> {
    match get(variable).as_deref() {
        None => Ok(default),
        Some("true") | Some("1") => Ok(true),
        Some("false") | Some("0") => Ok(false),
        Some(other) => Err(bad(
            variable,
            format!("expected true or false, got {other:?}"),
        )),
    }
}

/// Origins separated by spaces or commas; each must be exactly `scheme://host[:port]`.
fn parse_origins(variable: &'static str, list: &str) -> Result<Vec<String>, SettingsError> {
    list.split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(|entry| {
            let entry = entry.trim_end_matches('/');
            match origin_of(entry) {
                Some(origin) if origin == entry.to_ascii_lowercase() => Ok(origin),
                _ => Err(bad(
                    variable,
                    format!("{entry:?} is not an origin; expected e.g. https://shop.example.com (no path)"),
                )),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    /// Every name the settings read, in sandbox and in live mode, is one a configuration file may
    /// hold (so no setting is refused from a file, or missing from `config check`).
    #[test]
    fn every_name_read_is_a_known_setting() {
        let asked = std::cell::RefCell::new(std::collections::BTreeSet::new());
        let live: HashMap<&str, &str> = [
            ("PAYDESK_GATEWAY_API_KEY", "k"),
            ("PAYDESK_WEBHOOK_SECRET", "0123456789abcdef0123456789"),
            ("PAYDESK_PUBLIC_URL", "https://pay.example.com"),
            ("PAYDESK_PAYROC_API_KEY", "p"),
            ("PAYDESK_COMMERCEHUB_API_KEY", "c"),
            (
                "PAYDESK_MERCHANT_WEBHOOK_URL",
                "https://shop.example.com/hooks",
            ),
        ]
        .into_iter()
        .collect();
        for pairs in [HashMap::new(), live] {
            let _ = Settings::from_lookup(|name| {
                asked.borrow_mut().insert(name.to_string());
                pairs.get(name).map(|v| v.to_string())
            });
            let _ = SandboxSettings::from_lookup(|name| {
                asked.borrow_mut().insert(name.to_string());
                None
            });
        }
        let unknown: Vec<String> = asked
            .into_inner()
            .into_iter()
            .filter(|name| !crate::config::names::is_setting(name))
            .collect();
        assert!(
            unknown.is_empty(),
            "add to config::names::SETTINGS: {unknown:?}"
        );
    }

    #[test]
    fn nothing_configured_means_sandbox_with_defaults() {
        let s = settings(&[]).unwrap();
        assert!(s.is_sandbox());
        assert_eq!(s.database_url, "sqlite://data/sandbox/paydesk.db");
        match s.gateway {
            GatewayMode::Sandbox { database_url, .. } => assert_eq!(
                database_url.as_deref(),
                Some("sqlite://data/sandbox/sandbox-gateway.db")
            ),
            GatewayMode::Live { .. } => unreachable!(),
        }
        assert!(s.merchant_token.is_none());
        assert!(s.use_javascript_callback);
        assert_eq!(s.merchant_name, "Demo Store");
        assert_eq!(s.operation_lost_after, Duration::from_secs(600));
        assert_eq!(s.gateway_still_open, Duration::from_secs(30));
        assert_eq!(s.reconcile_interval, Duration::from_secs(5));
    }

    #[test]
    fn live_mode_requires_its_companions() {
        let err = settings(&[("PAYDESK_GATEWAY_API_KEY", "key_live_x")]).unwrap_err();
        assert_eq!(err.variable, "PAYDESK_WEBHOOK_SECRET");
        let secret = ("PAYDESK_WEBHOOK_SECRET", "whsec_0123456789abcdef0123");
        let err = settings(&[("PAYDESK_GATEWAY_API_KEY", "key_live_x"), secret]).unwrap_err();
        assert_eq!(err.variable, "PAYDESK_PUBLIC_URL");
        let ok = settings(&[
            ("PAYDESK_GATEWAY_API_KEY", "key_live_x"),
            secret,
            ("PAYDESK_MERCHANT_TOKEN", "0123456789abcdef01234567"),
            ("PAYDESK_PUBLIC_URL", "https://pay.example.com/"),
        ])
        .unwrap();
        assert!(!ok.is_sandbox());
        assert_eq!(
            ok.database_url, "sqlite://data/paydesk.db",
            "live data has its own default"
        );
        assert_eq!(ok.public_url.as_deref(), Some("https://pay.example.com"));
        assert_eq!(ok.merchant_name, "pay.example.com");
    }

    #[test]
    fn live_mode_refuses_gateway_and_webhook_urls_in_clear() {
        let live = |extra: (&'static str, &'static str)| {
            settings(&[
                ("PAYDESK_GATEWAY_API_KEY", "key_live_x"),
                ("PAYDESK_WEBHOOK_SECRET", "whsec_0123456789abcdef0123"),
                ("PAYDESK_PUBLIC_URL", "https://pay.example.com"),
                (
                    "PAYDESK_MERCHANT_WEBHOOK_SECRET",
                    "mwsec_0123456789abcdef0123",
                ),
                ("PAYDESK_PAYROC_API_KEY", "payroc_key"),
                ("PAYDESK_PAYROC_TERMINAL_ID", "1234001"),
                extra,
            ])
        };
        for variable in [
            "PAYDESK_GATEWAY_URL",
            "PAYDESK_PAYROC_API_URL",
            "PAYDESK_PAYROC_IDENTITY_URL",
            "PAYDESK_MERCHANT_WEBHOOK_URL",
        ] {
            let err = live((variable, "http://gateway.example.com/v1")).unwrap_err();
            assert_eq!(err.variable, variable);
            assert!(err.problem.contains("https"), "{err}");
            // A simulator or receiver on this machine may be reached in clear.
            assert!(
                live((variable, "http://127.0.0.1:3400/v1")).is_ok(),
                "{variable}"
            );
        }
        // The sandbox delivers its events in clear wherever it is told.
        assert!(settings(&[
            (
                "PAYDESK_MERCHANT_WEBHOOK_URL",
                "http://shop.example.com/hooks"
            ),
            (
                "PAYDESK_MERCHANT_WEBHOOK_SECRET",
                "mwsec_0123456789abcdef0123"
            ),
        ])
        .is_ok());
    }

    #[test]
    fn live_mode_refuses_a_short_webhook_secret_and_a_public_url_in_clear() {
        let live = |secret: &str, url: &str| {
            settings(&[
                ("PAYDESK_GATEWAY_API_KEY", "key_live_x"),
                ("PAYDESK_WEBHOOK_SECRET", secret),
                ("PAYDESK_PUBLIC_URL", url),
            ])
        };
        let long = "whsec_0123456789abcdef0123";
        let err = live("whsec_short", "https://pay.example.com").unwrap_err();
        assert_eq!(err.variable, "PAYDESK_WEBHOOK_SECRET");
        assert!(err.problem.contains("at least 24"), "{err}");
        for clear in [
            "http://pay.example.com",
            "http://10.0.0.5:3000",
            "http://127.0.0.1.example.com",
        ] {
            let err = live(long, clear).unwrap_err();
            assert_eq!(err.variable, "PAYDESK_PUBLIC_URL", "{clear}");
            assert!(err.problem.contains("https"), "{err}");
        }
        // This machine only (e.g. behind a local TLS proxy, or in tests) is allowed in clear.
        for local in [
            "https://pay.example.com",
            "http://127.0.0.1:3000",
            "http://localhost:3000",
            "http://[::1]:3000",
        ] {
            assert!(live(long, local).is_ok(), "{local}");
        }
        // The sandbox has neither rule.
        assert!(settings(&[
            ("PAYDESK_WEBHOOK_SECRET", "s"),
            ("PAYDESK_PUBLIC_URL", "http://10.0.0.5:3000")
        ])
        .is_ok());
    }

    #[test]
    fn device_refunds_use_the_simulator_in_sandbox_and_payroc_only_beside_live_payments() {
        assert!(matches!(
            settings(&[]).unwrap().payroc,
            PayrocMode::Sandbox { .. }
        ));
        assert!(matches!(
            settings(&[("PAYDESK_PAYROC_SANDBOX_ADDR", "off")])
                .unwrap()
                .payroc,
            PayrocMode::Off
        ));
        let err = settings(&[("PAYDESK_PAYROC_API_KEY", "pk_live")]).unwrap_err();
        assert_eq!(
            err.variable, "PAYDESK_PAYROC_API_KEY",
            "never real device refunds from sandbox data"
        );
        let live = [
            ("PAYDESK_GATEWAY_API_KEY", "key_live_x"),
            ("PAYDESK_WEBHOOK_SECRET", "whsec_0123456789abcdef0123"),
            ("PAYDESK_PUBLIC_URL", "https://pay.example.com"),
        ];
        assert!(matches!(settings(&live).unwrap().payroc, PayrocMode::Off));
        let mut with_payroc = live.to_vec();
        with_payroc.push(("PAYDESK_PAYROC_API_KEY", "pk_live"));
        assert_eq!(
            settings(&with_payroc).unwrap_err().variable,
            "PAYDESK_PAYROC_TERMINAL_ID"
        );
        with_payroc.push(("PAYDESK_PAYROC_TERMINAL_ID", "1234001"));
        match settings(&with_payroc).unwrap().payroc {
            PayrocMode::Live {
                api_url,
                identity_url,
                terminal_id,
                ..
            } => {
                assert_eq!(api_url, DEFAULT_PAYROC_API_URL);
                assert_eq!(identity_url, DEFAULT_PAYROC_IDENTITY_URL);
                assert_eq!(terminal_id, "1234001");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_sdk_integrity_digest_is_one_the_browser_accepts() {
        let sha384 = format!("sha384-{}", "A".repeat(64));
        assert_eq!(sri_digest("X", sha384.clone()), Ok(sha384));
        assert!(sri_digest("X", format!("sha256-{}=", "A".repeat(43))).is_ok());
        for bad in ["sha384-abc", "md5-AAAA", "", "sha384-", "sha512-!!!!"] {
            assert_eq!(
                sri_digest("X", bad.into()).unwrap_err().variable,
                "X",
                "{bad}"
            );
        }
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases = [
            ("LEPTOS_SITE_ADDR", "nope"),
            ("PAYDESK_PUBLIC_URL", "pay.example.com"),
            ("DATABASE_URL", "mysql://x"),
            ("PAYDESK_DATABASE_POOL_SIZE", "0"),
            ("PAYDESK_METRICS_ADDR", "9464"),
            ("PAYDESK_METRICS_ADDR", "127.0.0.1:3000"),
            ("PAYDESK_FRAME_ANCESTORS", "https://shop.example.com/path"),
            ("PAYDESK_SANDBOX_ADDR", "127.0.0.1"),
            ("PAYDESK_MERCHANT_TOKEN", "short"),
            ("PAYDESK_GATEWAY_URL", "https://api.example.com/v1"),
            ("PAYDESK_USE_JS_CALLBACK", "maybe"),
            ("PAYDESK_SANDBOX_SESSION_TTL_SECS", "1"),
            ("PAYDESK_SANDBOX_WEBHOOK_ENCODING", "rot13"),
            ("PAYDESK_OPERATION_LOST_AFTER_SECS", "1"),
            ("PAYDESK_RECONCILE_INTERVAL_MS", "10"),
        ];
        for (variable, value) in cases {
            assert_eq!(
                settings(&[(variable, value)]).unwrap_err().variable,
                variable,
                "{variable}={value}"
            );
        }
    }

    #[test]
    fn the_sandbox_keeps_its_own_database_beside_paydesks() {
        let s = settings(&[("DATABASE_URL", "sqlite:///tmp/x/paydesk.db")]).unwrap();
        match s.gateway {
            GatewayMode::Sandbox { database_url, .. } => {
                assert_eq!(
                    database_url.as_deref(),
                    Some("sqlite:///tmp/x/sandbox-gateway.db")
                )
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            beside("sqlite://data/paydesk.db", "s.db").as_deref(),
            Some("sqlite://data/s.db")
        );
        assert_eq!(beside("sqlite::memory:", "s.db"), None);
        assert_eq!(
            beside("postgres://paydesk@db/paydesk", "s.db").as_deref(),
            Some("sqlite://data/sandbox/s.db")
        );
    }

    #[test]
    fn frame_ancestors_accept_lists() {
        let s = settings(&[(
            "PAYDESK_FRAME_ANCESTORS",
            "https://shop.example.com, http://localhost:8080",
        )])
        .unwrap();
        assert_eq!(
            s.frame_ancestors,
            vec!["https://shop.example.com", "http://localhost:8080"]
        );
    }

    #[test]
    fn the_standalone_sandbox_runs_the_commerce_hub_simulator_unless_off() {
        let lookup = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let default = SandboxSettings::from_lookup(lookup(&[])).unwrap();
        assert_eq!(default.commercehub, Some("127.0.0.1:3500".parse().unwrap()));
        assert!(default.commercehub_secret.is_none());
        let off = SandboxSettings::from_lookup(lookup(&[
            ("PAYDESK_COMMERCEHUB_SANDBOX_ADDR", "off"),
            ("PAYDESK_COMMERCEHUB_API_SECRET", "chsecret_0123"),
        ]))
        .unwrap();
        assert_eq!(off.commercehub, None);
        assert_eq!(
            off.commercehub_secret.unwrap().expose_secret(),
            "chsecret_0123"
        );
    }

    #[test]
    fn the_simulators_answer_variants_come_from_a_seed_or_are_off() {
        let seed = |value: &'static str| {
            SandboxSettings::from_lookup(move |name: &str| {
                (name == "PAYDESK_SANDBOX_VARIANTS_SEED").then(|| value.to_string())
            })
        };
        assert_eq!(seed("42").unwrap().variants_seed, Some(42));
        assert_eq!(
            seed("18446744073709551615").unwrap().variants_seed,
            Some(u64::MAX)
        );
        assert_eq!(seed("off").unwrap().variants_seed, None);
        let wrong = seed("-1").unwrap_err();
        assert_eq!(wrong.variable, "PAYDESK_SANDBOX_VARIANTS_SEED");
        let in_sandbox_mode = settings(&[("PAYDESK_SANDBOX_VARIANTS_SEED", "7")]).unwrap();
        assert!(matches!(
            in_sandbox_mode.gateway,
            GatewayMode::Sandbox {
                variants_seed: Some(7),
                ..
            }
        ));
    }

    #[test]
    fn secrets_do_not_debug_print() {
        let s = settings(&[("PAYDESK_MERCHANT_TOKEN", "tok_supersecret_0123456789")]).unwrap();
        assert!(!format!("{s:?}").contains("supersecret"));
    }
}
