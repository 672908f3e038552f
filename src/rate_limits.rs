//! Rate limits at the edge, per client address, per API token and per staff account: customer
//! page views, merchant API calls and console sign-ins. A refusal is `429` with `Retry-After`: JSON
//! on the API, a calm page in the customer's language elsewhere. Built on `governor` (GCRA,
//! lock-free, keyed), whose stale keys are pruned as it goes.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use app::i18n::Locale;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// How many requests a key may make per minute, at most `burst` at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub per_minute: NonZeroU32,
    pub burst: NonZeroU32,
}

impl Rate {
    /// `per_minute`, with a burst of a quarter of it (at least 1).
    pub fn per_minute(per_minute: NonZeroU32) -> Rate {
        let burst = NonZeroU32::new(per_minute.get().div_ceil(4)).unwrap_or(NonZeroU32::MIN);
        Rate { per_minute, burst }
    }
}

impl Rate {
    /// The same rate, all of a minute's allowance usable at once.
    pub fn whole_minute_at_once(self) -> Rate {
        Rate {
            burst: self.per_minute,
            ..self
        }
    }
}

/// One keyed limiter.
pub struct Limiter<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    checks: AtomicU64,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    pub fn new(rate: Rate) -> Self {
        Limiter {
            limiter: RateLimiter::keyed(Quota::per_minute(rate.per_minute).allow_burst(rate.burst)),
            checks: AtomicU64::new(0),
        }
    }

    /// `Ok` when `key` may go on; otherwise how long until it may.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        // Forget keys that are back to a full allowance now and then, so memory stays bounded.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(key).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .max(Duration::from_secs(1))
        })
    }
}

/// The configured rates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateSettings {
    /// `PAYDESK_PAGE_VIEWS_PER_MINUTE`: customer page views and page calls per client address.
    pub page_views: Rate,
    /// `PAYDESK_API_REQUESTS_PER_MINUTE`: merchant API requests per token.
    pub api_requests: Rate,
    /// `PAYDESK_LOGIN_ATTEMPTS_PER_MINUTE`: console sign-in attempts per client address.
    pub login_attempts: Rate,
}

/// Every limiter of the process.
#[derive(Clone)]
pub struct RateLimits {
    pub page_views: Arc<Limiter<IpAddr>>,
    pub api_requests: Arc<Limiter<String>>,
    pub login_attempts: Arc<Limiter<IpAddr>>,
}

impl RateLimits {
    pub fn new(settings: RateSettings) -> Self {
        RateLimits {
            page_views: Arc::new(Limiter::new(settings.page_views)),
            api_requests: Arc::new(Limiter::new(settings.api_requests)),
            login_attempts: Arc::new(Limiter::new(settings.login_attempts)),
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
    fn a_key_is_held_after_its_burst_and_others_are_not() {
        let limiter = Limiter::new(Rate {
            per_minute: NonZeroU32::new(60).unwrap(),
            burst: NonZeroU32::new(3).unwrap(),
        });
        for _ in 0..3 {
            assert!(limiter.check(&"a").is_ok());
        }
        let wait = limiter.check(&"a").unwrap_err();
        assert!(
            wait >= Duration::from_secs(1) && wait <= Duration::from_secs(2),
            "{wait:?}"
        );
        assert!(
            limiter.check(&"b").is_ok(),
            "one client's flood does not hold another"
        );
        assert_eq!(retry_after_secs(Duration::from_millis(1200)), 2);
    }
}
