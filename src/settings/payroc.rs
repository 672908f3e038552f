//! Where device refunds go: Payroc Cloud with a key (beside live payments only), its simulator in
//! sandbox mode, or nowhere.

use std::net::SocketAddr;
use std::time::Duration;

use secrecy::SecretString;

use super::values::{live_gateway_url, secs};
use crate::settings_error::{bad, SettingsError};

pub const DEFAULT_PAYROC_API_URL: &str = "https://api.payroc.com/v1";
pub const DEFAULT_PAYROC_IDENTITY_URL: &str = "https://identity.payroc.com";
pub const DEFAULT_PAYROC_SANDBOX_ADDR: &str = "127.0.0.1:3400";

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

/// Device refunds: the real Payroc with a key (only beside the real hosted-form gateway: sandbox data
/// never moves real money), the simulator in sandbox mode, or none.
pub fn payroc_mode(
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
