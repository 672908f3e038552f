//! Where refunds of Commerce Hub charges go: Fiserv Commerce Hub with a key (beside live payments
//! only), its simulator in sandbox mode, or nowhere.

use std::net::SocketAddr;

use secrecy::SecretString;

use super::values::{live_gateway_url, sri_digest};
use crate::settings_error::{bad, SettingsError};

pub const DEFAULT_COMMERCEHUB_API_URL: &str = "https://prod.api.fiservapps.com/ch";
pub const DEFAULT_COMMERCEHUB_SDK_URL: &str =
    "https://commercehub-secure-data-capture.fiservapps.com/3.6.0/checkout.js";
pub const DEFAULT_COMMERCEHUB_SANDBOX_ADDR: &str = "127.0.0.1:3500";

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

/// Commerce Hub refunds: the real Commerce Hub with a key (only beside the real hosted-form gateway:
/// sandbox data never moves real money), the simulator in sandbox mode, or none.
pub fn commercehub_mode(
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
