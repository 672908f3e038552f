//! `/pay/{id}`: the customer's payment page. Rendered on the server with the hosted form's iframe
//! already in the HTML, so the form loads before the WASM does.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::link_page::LinkPage;
use paydesk_core::model::LinkRef;

#[component]
pub fn PayPage() -> impl IntoView {
    let params = use_params_map();
    let link =
        Signal::derive(move || LinkRef::payment(params.read().get("id").unwrap_or_default()));
    view! { <LinkPage link /> }
}
