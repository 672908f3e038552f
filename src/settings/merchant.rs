//! Who the merchant is to customers and to paydesk: its name and branding, its API token, the key
//! that signs its refund links, and where its events go.

use std::time::Duration;

use paydesk_core::origin::{is_https_or_loopback, origin_of};
use secrecy::{ExposeSecret, SecretString};

use super::gateway::GatewayMode;
use super::values::{millis, rolled_secret, MIN_SECRET_LEN};
use crate::settings_error::{bad, SettingsError};

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
    /// `PAYDESK_MERCHANT_WEBHOOK_POLL_MS`: how often retries coming due are looked for (new events
    /// are sent at once).
    pub poll: Duration,
}

#[derive(Clone, Debug)]
pub struct Merchant {
    pub merchant_token: Option<SecretString>,
    pub merchant_name: String,
    pub branding: paydesk_core::branding::Branding,
    pub link_signing_key: Option<SecretString>,
    pub previous_link_signing_key: Option<SecretString>,
    pub merchant_webhook: Option<MerchantWebhookSettings>,
}

pub fn merchant(
    get: &impl Fn(&str) -> Option<String>,
    gateway: &GatewayMode,
    public_url: &Option<String>,
) -> Result<Merchant, SettingsError> {
    let merchant_token = get("PAYDESK_MERCHANT_TOKEN").map(SecretString::from);
    if let Some(token) = &merchant_token {
        if token.expose_secret().len() < 24 {
            return Err(bad(
                "PAYDESK_MERCHANT_TOKEN",
                "must be at least 24 characters (use a long random value)",
            ));
        }
    }

    let merchant_name = get("PAYDESK_MERCHANT_NAME").unwrap_or_else(|| match gateway {
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

    let branding = crate::brand_settings::branding(get)?;

    let (link_signing_key, previous_link_signing_key) = link_signing_keys(get)?;
    let merchant_webhook = merchant_webhook(get, matches!(gateway, GatewayMode::Live { .. }))?;
    Ok(Merchant {
        merchant_token,
        merchant_name,
        branding,
        link_signing_key,
        previous_link_signing_key,
        merchant_webhook,
    })
}

/// `PAYDESK_LINK_SIGNING_KEY` and the previous one (each at least 32 characters), if set.
fn link_signing_keys(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<(Option<SecretString>, Option<SecretString>), SettingsError> {
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
    Ok((link_signing_key, previous_link_signing_key))
}

/// `PAYDESK_MERCHANT_WEBHOOK_*`: where paydesk's events go (https in live mode), signed with a
/// secret of the merchant's.
fn merchant_webhook(
    get: &impl Fn(&str) -> Option<String>,
    live: bool,
) -> Result<Option<MerchantWebhookSettings>, SettingsError> {
    match get("PAYDESK_MERCHANT_WEBHOOK_URL") {
        None => Ok(None),
        Some(url) => {
            if origin_of(&url).is_none() {
                return Err(bad(
                    "PAYDESK_MERCHANT_WEBHOOK_URL",
                    "expected an absolute http:// or https:// URL",
                ));
            }
            if live && !is_https_or_loopback(&url) {
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
            let retry_base_ms = millis(
                get,
                "PAYDESK_MERCHANT_WEBHOOK_RETRY_BASE_MS",
                10_000,
                10..=3_600_000,
            )?;
            let max_attempts = get("PAYDESK_MERCHANT_WEBHOOK_MAX_ATTEMPTS")
                .map(|v| v.parse::<i64>().ok().filter(|n| (1..=30).contains(n)))
                .unwrap_or(Some(12))
                .ok_or_else(|| {
                    bad(
                        "PAYDESK_MERCHANT_WEBHOOK_MAX_ATTEMPTS",
                        "expected a number between 1 and 30",
                    )
                })?;
            let poll_ms = millis(get, "PAYDESK_MERCHANT_WEBHOOK_POLL_MS", 250, 10..=3_600_000)?;
            Ok(Some(MerchantWebhookSettings {
                url,
                secret,
                previous_secret: rolled_secret(&get, "PAYDESK_MERCHANT_WEBHOOK_PREVIOUS_SECRET")?,
                retry_base: Duration::from_millis(retry_base_ms),
                max_attempts,
                poll: Duration::from_millis(poll_ms),
            }))
        }
    }
}
