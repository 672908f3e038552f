//! Any unknown path.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::use_locale;
use paydesk_core::i18n::texts;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let texts = texts(use_locale());
    view! {
        <Title text=texts.page_not_found />
        <section class="panel" data-testid="not-found">
            <h1>{texts.page_not_found}</h1>
            <p>{texts.page_not_found_text}</p>
        </section>
    }
}
