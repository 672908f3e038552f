//! Which hosted-form gateway paydesk talks to: Omni with a key (live), or its simulator.

use std::net::SocketAddr;
use std::time::Duration;

use paydesk_core::gateways::omni::signature::SignatureEncoding;
use paydesk_core::origin::{is_https_or_loopback, origin_of};
use secrecy::{ExposeSecret, SecretString};

use super::server::Server;
use super::values::{
    beside, live_gateway_url, rolled_secret, secs, signature_encoding, sqlite_url, variants_seed,
    MIN_SECRET_LEN,
};
use crate::settings_error::{bad, SettingsError};

pub const DEFAULT_GATEWAY_URL: &str = "https://api.omni.integratedcommerce.io/v1";
pub const DEFAULT_HOSTED_FORM_ORIGIN: &str = "https://hpf.integratedcommerce.io";
pub const DEFAULT_SANDBOX_ADDR: &str = "127.0.0.1:3100";

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

/// `PAYDESK_SANDBOX_ADDR`: where the Omni simulator listens.
pub fn sandbox_addr(get: &impl Fn(&str) -> Option<String>) -> Result<SocketAddr, SettingsError> {
    get("PAYDESK_SANDBOX_ADDR")
        .unwrap_or_else(|| DEFAULT_SANDBOX_ADDR.into())
        .parse()
        .map_err(|_| {
            bad(
                "PAYDESK_SANDBOX_ADDR",
                "expected host:port, e.g. 127.0.0.1:3100",
            )
        })
}

/// Live with `PAYDESK_GATEWAY_API_KEY`, the simulator without.
pub fn gateway_mode(
    get: &impl Fn(&str) -> Option<String>,
    server: &Server,
) -> Result<GatewayMode, SettingsError> {
    match get("PAYDESK_GATEWAY_API_KEY") {
        Some(api_key) => live_gateway(get, api_key, server.public_url.as_deref()),
        None => sandbox_gateway(get, server),
    }
}

/// The real gateway: its URL, hosted-form origin and webhook secret, and a public https URL.
fn live_gateway(
    get: &impl Fn(&str) -> Option<String>,
    api_key: String,
    public_url: Option<&str>,
) -> Result<GatewayMode, SettingsError> {
    let url = live_gateway_url(
        "PAYDESK_GATEWAY_URL",
        get("PAYDESK_GATEWAY_URL").unwrap_or_else(|| DEFAULT_GATEWAY_URL.into()),
    )?;
    let hosted_form_origin =
        get("PAYDESK_GATEWAY_HPF_ORIGIN").unwrap_or_else(|| DEFAULT_HOSTED_FORM_ORIGIN.into());
    if origin_of(&hosted_form_origin).as_deref() != Some(hosted_form_origin.as_str()) {
        return Err(bad(
            "PAYDESK_GATEWAY_HPF_ORIGIN",
            format!(
                "expected an origin such as https://hpf.example.com, got {hosted_form_origin:?}"
            ),
        ));
    }
    let webhook_secret = get("PAYDESK_WEBHOOK_SECRET")
        .map(SecretString::from)
        .ok_or_else(|| {
            bad(
                "PAYDESK_WEBHOOK_SECRET",
                "required with PAYDESK_GATEWAY_API_KEY: the secret the gateway signs webhooks with",
            )
        })?;
    if webhook_secret.expose_secret().len() < MIN_SECRET_LEN {
        return Err(bad(
            "PAYDESK_WEBHOOK_SECRET",
            format!("must be at least {MIN_SECRET_LEN} characters in live mode: a short secret lets anyone forge the gateway's webhooks (ask the gateway for a longer one)"),
        ));
    }
    match public_url {
        None => return Err(bad("PAYDESK_PUBLIC_URL", "required with PAYDESK_GATEWAY_API_KEY: the https URL customers reach paydesk at")),
        Some(url) if !is_https_or_loopback(url) => {
            return Err(bad(
                "PAYDESK_PUBLIC_URL",
                format!("must be https:// in live mode (card pages, staff cookies and refund links never travel in clear), got {url:?}"),
            ))
        }
        Some(_) => {}
    }
    Ok(GatewayMode::Live {
        url,
        api_key: SecretString::from(api_key),
        hosted_form_origin,
        webhook_secret,
        previous_webhook_secret: rolled_secret(get, "PAYDESK_WEBHOOK_PREVIOUS_SECRET")?,
    })
}

/// The simulator, on its own address (so on another origin).
fn sandbox_gateway(
    get: &impl Fn(&str) -> Option<String>,
    server: &Server,
) -> Result<GatewayMode, SettingsError> {
    if get("PAYDESK_GATEWAY_URL").is_some() {
        return Err(bad(
            "PAYDESK_GATEWAY_URL",
            "is set but PAYDESK_GATEWAY_API_KEY is not; set both for the real gateway, or neither for the sandbox",
        ));
    }
    let addr = sandbox_addr(get)?;
    if addr == server.site_addr && addr.port() != 0 {
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
    let signature_encoding = signature_encoding(get)?;
    Ok(GatewayMode::Sandbox {
        addr,
        session_ttl: Duration::from_secs(secs(
            get,
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
            .or_else(|| beside(&server.database_url, "sandbox-gateway.db")),
        variants_seed: variants_seed(get)?,
    })
}
