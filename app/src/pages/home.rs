//! `/`: what paydesk is, and in sandbox mode a one-click demo checkout and demo refund link.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::server_fns::{CreateDemoCheckout, CreateDemoRefundLink};

#[component]
pub fn HomePage() -> impl IntoView {
    let create = ServerAction::<CreateDemoCheckout>::new();
    let create_refund = ServerAction::<CreateDemoRefundLink>::new();
    view! {
        <Title text="paydesk" />
        <section class="panel home">
            <h1>"paydesk"</h1>
            <p>"Self-hosted checkout and refund pages around your payment gateway's hosted payment form. Card details are typed only into the gateway's form; paydesk never sees them."</p>
            <p>"Merchants create payment links with " <code>"POST /api/v1/checkouts"</code> " and refund links with " <code>"POST /api/v1/refund-links"</code> "."</p>
            <ActionForm action=create>
                <button class="button" type="submit" data-testid="create-demo-checkout">"Try a demo checkout (sandbox)"</button>
            </ActionForm>
            <ActionForm action=create_refund>
                <button class="button-secondary" type="submit" data-testid="create-demo-refund">"Try a demo refund link (sandbox)"</button>
            </ActionForm>
            {move || create.value().get().and_then(Result::err).or_else(|| create_refund.value().get().and_then(Result::err)).map(|error| view! {
                <p class="problem" role="alert">{error.message}</p>
            })}
        </section>
    }
}
