//! Any unknown path.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <section class="panel" data-testid="not-found">
            <h1>"Page not found"</h1>
            <p>"Check the address, or ask the merchant for a new link."</p>
        </section>
    }
}
