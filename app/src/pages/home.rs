//! `/`: what paydesk is, and in sandbox mode a one-click demo checkout.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::CreateDemoCheckout;

#[component]
pub fn HomePage() -> impl IntoView {
    let create = ServerAction::<CreateDemoCheckout>::new();
    view! {
        <Title text="paydesk" />
        <section class="panel home">
            <h1>"paydesk"</h1>
            <p>"Self-hosted checkout and refund pages around your payment gateway's hosted payment form. Card details are typed only into the gateway's form; paydesk never sees them."</p>
            <p>"Merchants create payment links with the API: " <code>"POST /api/v1/checkouts"</code> "."</p>
            <ActionForm action=create>
                <button class="button" type="submit" data-testid="create-demo-checkout">"Try a demo checkout (sandbox)"</button>
            </ActionForm>
            {move || create.value().get().and_then(Result::err).map(|error| view! {
                <p class="problem" role="alert">{error.message}</p>
            })}
        </section>
    }
}
