//! Security headers of every server-rendered page: a CSP with the response's nonce, frames only from the
//! gateway's hosted-form origin (and ourselves, for the return page), and `frame-ancestors` limited to the
//! configured storefronts.

use http::header::{HeaderValue, CACHE_CONTROL, CONTENT_SECURITY_POLICY};
use leptos::nonce::use_nonce;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use super::AppState;
use crate::i18n::{Locale, LANG_COOKIE};

/// The CSP of a page, given its nonce, the hosted-form origin and the allowed embedders.
pub fn content_security_policy(nonce: &str, hosted_form_origin: &str, frame_ancestors: &[String]) -> String {
    let mut ancestors = String::from("'self'");
    for origin in frame_ancestors {
        ancestors.push(' ');
        ancestors.push_str(origin);
    }
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; frame-src 'self' {hosted_form_origin}; \
         frame-ancestors {ancestors}; form-action 'self'; base-uri 'none'; object-src 'none'"
    )
}

/// The language of the page being rendered: `?lang=`, then the `paydesk_lang` cookie, then
/// `Accept-Language`. A `?lang=` choice is remembered in the cookie.
pub fn request_locale() -> Locale {
    let Some(parts) = use_context::<http::request::Parts>() else { return Locale::default() };
    let query_lang = parts.uri.query().and_then(|query| {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(name, _)| *name == "lang")
            .map(|(_, value)| value.to_string())
    });
    let cookie_lang = parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LANG_COOKIE)
        .map(|(_, value)| value.to_string());
    let accept = parts.headers.get(http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let locale = Locale::choose(query_lang.as_deref(), cookie_lang.as_deref(), accept);
    if let (Some(chosen), Some(response)) = (query_lang.as_deref().and_then(Locale::parse), use_context::<ResponseOptions>()) {
        let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", chosen.code());
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.append_header(http::header::SET_COOKIE, value);
        }
    }
    locale
}

/// Sets the page's headers on the current response (SSR only).
pub fn set() {
    let (Some(response), Some(state)) = (use_context::<ResponseOptions>(), use_context::<AppState>()) else {
        return;
    };
    let nonce = use_nonce().map(|n| n.to_string()).unwrap_or_default();
    let policy = content_security_policy(&nonce, &state.config.hosted_form_origin, &state.config.frame_ancestors);
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
    // Pages show live payment state: never cache them.
    response.insert_header(CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_limits_frames_and_embedders() {
        let csp = content_security_policy("abc", "https://hpf.example.io", &["https://shop.example.com".into()]);
        assert!(csp.contains("frame-src 'self' https://hpf.example.io;"));
        assert!(csp.contains("frame-ancestors 'self' https://shop.example.com;"));
        assert!(csp.contains("'nonce-abc'"));
        assert!(!csp.contains("unsafe-inline"));
    }
}
