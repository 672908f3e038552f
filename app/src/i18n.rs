//! The page's language inside a Leptos render (the tables themselves are the core's `i18n`).

use paydesk_core::i18n::Locale;

/// The page's language, as provided by the `App` (English when absent).
pub fn use_locale() -> Locale {
    leptos::prelude::use_context::<Locale>().unwrap_or_default()
}
