//! `/`: what paydesk is, and in sandbox mode a one-click demo checkout, demo refund link and demo
//! refund of a Commerce Hub charge on a closed card.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::browser::load_page;
use crate::server_fns::{CreateDemoCheckout, CreateDemoClosedCardRefund, CreateDemoRefundLink};

#[component]
pub fn HomePage() -> impl IntoView {
    let create = ServerAction::<CreateDemoCheckout>::new();
    let create_refund = ServerAction::<CreateDemoRefundLink>::new();
    let create_closed_card = ServerAction::<CreateDemoClosedCardRefund>::new();
    // Its page is loaded as a new document, with that page's own CSP.
    Effect::new(move |_| {
        if let Some(Ok(path)) = create_closed_card.value().get() {
            load_page(&path);
        }
    });
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
            <ActionForm action=create_closed_card>
                <button class="button-secondary" type="submit" data-testid="create-demo-closed-card">"Try a refund to a closed card (Commerce Hub sandbox)"</button>
            </ActionForm>
            {move || create.value().get().and_then(Result::err)
                .or_else(|| create_refund.value().get().and_then(Result::err))
                .or_else(|| create_closed_card.value().get().and_then(Result::err))
                .map(|error| view! {
                <p class="problem" role="alert">{error.0.message}</p>
            })}
        </section>
    }
}
