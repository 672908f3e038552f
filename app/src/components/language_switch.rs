//! English / Français: links to the same page in the other language (a full page load, so the
//! server renders it in that language and remembers the choice). Other query parameters (a refund
//! link's signature) are kept.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::i18n::use_locale;
use paydesk_core::i18n::{texts, Locale};

/// `search` (with or without `?`) with `lang` set to `code`.
pub fn with_lang(search: &str, code: &str) -> String {
    let mut pairs: Vec<String> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("lang="))
        .map(str::to_string)
        .collect();
    pairs.push(format!("lang={code}"));
    format!("?{}", pairs.join("&"))
}

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let current = use_locale();
    let location = use_location();
    view! {
        <nav class="language" aria-label=texts(current).language data-testid="language-switch">
            {Locale::ALL
                .into_iter()
                .map(|locale| {
                    let href = move || format!("{}{}", location.pathname.get(), with_lang(&location.search.get(), locale.code()));
                    view! {
                        <a
                            href=href
                            rel="external"
                            hreflang=locale.code()
                            lang=locale.code()
                            aria-current=(locale == current).then_some("true")
                            data-testid=format!("lang-{}", locale.code())
                        >
                            {locale.name()}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_kept_and_lang_replaced() {
        assert_eq!(with_lang("?sig=abc", "fr"), "?sig=abc&lang=fr");
        assert_eq!(with_lang("?lang=fr&sig=abc", "en"), "?sig=abc&lang=en");
        assert_eq!(with_lang("", "fr"), "?lang=fr");
    }
}
