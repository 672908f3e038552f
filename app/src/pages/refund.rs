//! `/refund/{id}?sig=…`: the customer's refund page. The signature proves the link was issued by
//! paydesk for exactly this id; the amount and currency come from the server only.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::link_page::LinkPage;
use paydesk_core::model::LinkRef;

#[component]
pub fn RefundPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let link = Signal::derive(move || {
        LinkRef::refund(
            params.read().get("id").unwrap_or_default(),
            query.read().get("sig").unwrap_or_default(),
        )
    });
    view! { <LinkPage link /> }
}
