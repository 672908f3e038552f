//! `/pay/{id}`: the customer's payment page. Rendered on the server with the hosted form's iframe
//! already in the HTML, so the form loads before the WASM does.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::load_checkout_page;
use crate::components::checkout::Checkout;
use crate::error::AppError;

#[component]
pub fn PayPage() -> impl IntoView {
    let params = use_params_map();
    let checkout_id = move || params.read().get("id").unwrap_or_default();
    let page = Resource::new_blocking(checkout_id, |id| load_checkout_page(id, false));
    view! {
        <Title text="Secure payment" />
        <Suspense fallback=|| view! { <p class="loading" data-testid="checkout-loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(data) => view! { <Checkout page=data /> }.into_any(),
                    Err(error) => view! { <PageProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn PageProblem(error: AppError) -> impl IntoView {
    view! {
        <section class="panel panel-problem" data-testid="page-error" role="alert">
            <h1>"This payment page is not available"</h1>
            <p>{error.message}</p>
        </section>
    }
}
