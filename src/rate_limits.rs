//! Rate limits at the edge, per client address, per API token and per staff account: customer
//! page views, merchant API calls and console sign-ins. A refusal is `429` with `Retry-After`: JSON
//! on the API, a calm page in the customer's language elsewhere. (The limiter itself, on `governor`,
//! is `paydesk_core::rate_limit`: the payment pages use it too.)

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use paydesk_core::i18n::Locale;

pub use paydesk_core::rate_limit::{Limiter, Rate};

/// The configured rates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateSettings {
    /// `PAYDESK_PAGE_VIEWS_PER_MINUTE`: customer page views and page calls per client address.
    pub page_views: Rate,
    /// `PAYDESK_API_REQUESTS_PER_MINUTE`: merchant API requests per token.
    pub api_requests: Rate,
    /// `PAYDESK_LOGIN_ATTEMPTS_PER_MINUTE`: console sign-in attempts per client address.
    pub login_attempts: Rate,
    /// `PAYDESK_CARD_RETRIES_PER_HOUR`: new card forms after a decline, per client address.
    pub card_retries: Rate,
    /// `PAYDESK_API_BAD_TOKENS_PER_MINUTE`: merchant API requests without a valid token, per client
    /// address.
    pub api_bad_tokens: Rate,
}

/// Every limiter of the process.
#[derive(Clone)]
pub struct RateLimits {
    pub page_views: Arc<Limiter<IpAddr>>,
    pub api_requests: Arc<Limiter<String>>,
    pub login_attempts: Arc<Limiter<IpAddr>>,
    pub api_bad_tokens: Arc<Limiter<IpAddr>>,
}

impl RateLimits {
    pub fn new(settings: RateSettings) -> Self {
        RateLimits {
            page_views: Arc::new(Limiter::new(settings.page_views)),
            api_requests: Arc::new(Limiter::new(settings.api_requests)),
            login_attempts: Arc::new(Limiter::new(settings.login_attempts)),
            api_bad_tokens: Arc::new(Limiter::new(settings.api_bad_tokens)),
        }
    }
}

/// The calm page a held customer sees, in their language, with `Retry-After`.
pub fn slow_down_page(locale: Locale, retry_after: u64) -> Response {
    let (title, text) = match locale {
        Locale::Fr => (
            "Un instant",
            "Cette page a été rechargée très souvent. Patientez quelques secondes, puis réessayez : rien n’est perdu.",
        ),
        _ => (
            "One moment",
            "This page was reloaded very often. Wait a few seconds, then try again: nothing is lost.",
        ),
    };
    let html = format!(
        r#"<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem"><h1>{title}</h1><p role="status" data-testid="slow-down">{text}</p></body></html>"#,
        lang = locale.code()
    );
    let mut response = (StatusCode::TOO_MANY_REQUESTS, Html(html)).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Whole seconds for a `Retry-After` header (at least 1).
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::from_millis(1200)), 2);
        assert_eq!(retry_after_secs(Duration::from_millis(10)), 1);
    }
}
