//! What protects paydesk and the merchant's money from abuse: rate limits, the client's address
//! behind a proxy, the decline cap per link, HTTP limits and the caps on unbound payouts.

use std::num::NonZeroU32;

use axum::http::HeaderName;
use paydesk_core::state::PayoutLimits;

use super::values::{count, http_limits};
use crate::payout_limit_settings::payout_limits;
use crate::rate_limits::{Rate, RateSettings};
use crate::serve::HttpLimits;
use crate::settings_error::{bad, SettingsError};

#[derive(Clone, Debug)]
pub struct Protection {
    pub rates: RateSettings,
    pub client_ip_header: Option<HeaderName>,
    pub max_declines_per_link: i64,
    pub http: HttpLimits,
    pub payout_limits: PayoutLimits,
}

pub fn protection(get: &impl Fn(&str) -> Option<String>) -> Result<Protection, SettingsError> {
    let rate = |variable: &'static str, default: u32, per: fn(NonZeroU32) -> Rate| {
        count(get, variable, default, 1..=1_000_000)
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
    let max_declines_per_link = i64::from(count(get, "PAYDESK_MAX_DECLINES_PER_LINK", 5, 1..=100)?);
    let http = http_limits(get)?;
    let payout_limits = payout_limits(get)?;
    Ok(Protection {
        rates,
        client_ip_header,
        max_declines_per_link,
        http,
        payout_limits,
    })
}
