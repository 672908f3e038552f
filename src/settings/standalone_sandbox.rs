//! `paydesk sandbox`: the simulated gateways run on their own, for a paydesk in live mode to talk to.

use std::net::SocketAddr;
use std::time::Duration;

use paydesk_core::gateways::omni::signature::SignatureEncoding;
use paydesk_core::origin::origin_of;
use secrecy::SecretString;

use super::commercehub::{commercehub_mode, CommerceHubMode};
use super::gateway::sandbox_addr;
use super::payroc::{payroc_mode, PayrocMode};
use super::values::{parse_origins, secs, signature_encoding, sqlite_url, trimmed, variants_seed};
use crate::settings_error::{bad, SettingsError};

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
        let get = trimmed(lookup);
        let addr = sandbox_addr(&get)?;
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
        let signature_encoding = signature_encoding(&get)?;
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
