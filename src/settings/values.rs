//! The pieces every group of settings is read with: numbers in a range, durations, flags, origins,
//! URLs that must not travel in clear, secrets being rolled, and the database's URL.

use std::time::Duration;

use paydesk_core::gateways::omni::signature::SignatureEncoding;
use paydesk_core::origin::{is_https_or_loopback, origin_of};
use secrecy::SecretString;

use crate::serve::HttpLimits;
use crate::settings_error::{bad, SettingsError};

/// Live and sandbox data never share a database: each mode has its own default.
pub const DEFAULT_LIVE_DATABASE_URL: &str = "sqlite://data/paydesk.db";
pub const DEFAULT_SANDBOX_DATABASE_URL: &str = "sqlite://data/sandbox/paydesk.db";

/// A secret shorter than this is refused (a webhook secret in live mode, a merchant webhook secret).
pub(super) const MIN_SECRET_LEN: usize = 24;

/// `lookup` with values trimmed and empty ones unset.
pub(super) fn trimmed(lookup: impl Fn(&str) -> Option<String>) -> impl Fn(&str) -> Option<String> {
    move |name: &str| {
        lookup(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
}

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

/// `PAYDESK_SANDBOX_WEBHOOK_ENCODING`: how the simulator encodes its webhook signatures.
pub(super) fn signature_encoding(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<SignatureEncoding, SettingsError> {
    match get("PAYDESK_SANDBOX_WEBHOOK_ENCODING").as_deref() {
        None | Some("hex") => Ok(SignatureEncoding::Hex),
        Some("base64") => Ok(SignatureEncoding::Base64),
        Some(other) => Err(bad(
            "PAYDESK_SANDBOX_WEBHOOK_ENCODING",
            format!("expected hex or base64, got {other:?}"),
        )),
    }
}

/// `PAYDESK_SANDBOX_VARIANTS_SEED`: a number (the chaos suite passes its seed), or `off`.
pub(super) fn variants_seed(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<u64>, SettingsError> {
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

/// Whether `url` names a SQLite database.
pub fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// A `sqlite:` URL, or an error naming `variable`.
pub(super) fn sqlite_url(variable: &'static str, url: String) -> Result<String, SettingsError> {
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
pub(super) fn rolled_secret(
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
pub(super) fn live_gateway_url(
    variable: &'static str,
    url: String,
) -> Result<String, SettingsError> {
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
pub(super) fn http_limits(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<HttpLimits, SettingsError> {
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
pub(super) fn sri_digest(variable: &'static str, digest: String) -> Result<String, SettingsError> {
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
pub(super) fn count(
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

/// The milliseconds `variable` says, within `range`, or `default` when it is not set.
pub(super) fn millis(
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
                        "expected milliseconds between {} and {}, got {text:?}",
                        range.start(),
                        range.end()
                    ),
                )
            }),
    }
}

pub(super) fn secs(
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
pub(super) fn flag(
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
pub(super) fn parse_origins(
    variable: &'static str,
    list: &str,
) -> Result<Vec<String>, SettingsError> {
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
