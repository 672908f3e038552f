//! The language of the page being rendered, from the request (`?lang=`, then the `paydesk_lang`
//! cookie, then `Accept-Language`); a `?lang=` choice is remembered in the cookie.

use http::header::HeaderValue;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use paydesk_core::i18n::{Locale, LANG_COOKIE};

/// The language of the page being rendered: `?lang=`, then the `paydesk_lang` cookie, then
/// `Accept-Language`. A `?lang=` choice is remembered in the cookie.
pub fn request_locale() -> Locale {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Locale::default();
    };
    let query_lang = query_lang(&parts.uri);
    let locale = locale_of(&parts.uri, &parts.headers);
    if let (Some(chosen), Some(response)) = (
        query_lang.as_deref().and_then(Locale::parse),
        use_context::<ResponseOptions>(),
    ) {
        let cookie = format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            chosen.code()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.append_header(http::header::SET_COOKIE, value);
        }
    }
    locale
}

/// The `?lang=` of a request, if any.
fn query_lang(uri: &http::Uri) -> Option<String> {
    uri.query().and_then(|query| {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(name, _)| *name == "lang")
            .map(|(_, value)| value.to_string())
    })
}

/// The language a request asks for (`?lang=`, then the `paydesk_lang` cookie, then
/// `Accept-Language`), for answers written outside Leptos (e.g. the rate limit's page).
pub fn locale_of(uri: &http::Uri, headers: &http::HeaderMap) -> Locale {
    let cookie_lang = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LANG_COOKIE)
        .map(|(_, value)| value.to_string());
    let accept = headers
        .get(http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Locale::choose(query_lang(uri).as_deref(), cookie_lang.as_deref(), accept)
}
