//! The language of the page being rendered, from the request (`?lang=`, then the `paydesk_lang`
//! cookie, then `Accept-Language`); a `?lang=` choice is remembered in the cookie.

use http::header::HeaderValue;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use crate::i18n::{Locale, LANG_COOKIE};

/// The language of the page being rendered: `?lang=`, then the `paydesk_lang` cookie, then
/// `Accept-Language`. A `?lang=` choice is remembered in the cookie.
pub fn request_locale() -> Locale {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Locale::default();
    };
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
    let accept = parts
        .headers
        .get(http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let locale = Locale::choose(query_lang.as_deref(), cookie_lang.as_deref(), accept);
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
