//! `/pay/{id}/return`: where the hosted form sends the customer. The URL's result parameters are
//! ignored: the server confirms with the gateway. Inside our payment page's iframe it also tells the
//! parent page, which then shows the result itself (one navigation, no loop).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::pay::PageProblem;
use crate::api::confirm_payment;
use crate::browser::notify_parent_returned;
use crate::components::checkout::confirm_until_settled;
use crate::components::status_panels::ProcessingPanel;
use crate::model::PaymentState;

#[component]
pub fn ReturnPage() -> impl IntoView {
    let params = use_params_map();
    let checkout_id = move || params.read().get("id").unwrap_or_default();
    let outcome = Resource::new_blocking(checkout_id, confirm_payment);
    view! {
        <Title text="Payment result" />
        <Suspense fallback=|| view! { <p class="loading">"Confirming…"</p> }>
            {move || Suspend::new(async move {
                let id = checkout_id();
                match outcome.await {
                    Ok(state) => view! { <ReturnResult checkout_id=id initial=state /> }.into_any(),
                    Err(error) => view! { <PageProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReturnResult(checkout_id: String, initial: PaymentState) -> impl IntoView {
    let state = RwSignal::new(initial);
    let paid_here = RwSignal::new(true);
    let slow = RwSignal::new(false);
    {
        let checkout_id = checkout_id.clone();
        Effect::new(move |_| {
            notify_parent_returned(&checkout_id);
            if matches!(state.get_untracked(), PaymentState::Processing) {
                let id = checkout_id.clone();
                leptos::task::spawn_local(confirm_until_settled(id, state, paid_here, slow));
            }
        });
    }
    let pay_url = format!("/pay/{checkout_id}");
    view! {
        <div class="checkout" data-testid="return-state" data-state=move || match state.get() {
            PaymentState::Paid(_) => "paid",
            PaymentState::Processing => "processing",
            PaymentState::Declined { .. } => "declined",
            PaymentState::Failed { .. } => "error",
            PaymentState::LinkExpired => "expired",
            _ => "open",
        }>
            {move || match state.get() {
                PaymentState::Paid(receipt) => view! {
                    <section class="panel panel-success" data-testid="return-paid" role="status">
                        <h1>"Payment approved"</h1>
                        <p data-testid="receipt-amount">{receipt.amount.display()}</p>
                        {receipt.card.map(|c| view! { <p>{c}</p> })}
                        <p>"Reference " <span data-testid="receipt-transaction">{receipt.transaction_id}</span></p>
                    </section>
                }.into_any(),
                PaymentState::Processing => view! { <ProcessingPanel slow=slow.into() /> }.into_any(),
                PaymentState::Declined { message } | PaymentState::Failed { message } => view! {
                    <section class="panel panel-problem" data-testid="return-not-paid" role="alert">
                        <h1>"Payment not completed"</h1>
                        <p>{message}</p>
                        <a class="button" href=pay_url.clone() target="_top">"Try again"</a>
                    </section>
                }.into_any(),
                PaymentState::LinkExpired => view! {
                    <section class="panel panel-problem" data-testid="return-expired" role="alert">
                        <h1>"This payment link has expired"</h1>
                        <p>"Nothing was charged. Please ask the merchant for a new payment link."</p>
                    </section>
                }.into_any(),
                _ => view! {
                    <section class="panel" data-testid="return-open" role="status">
                        <h1>"This payment is not complete"</h1>
                        <p>"We have no completed payment for this order yet."</p>
                        <a class="button" href=pay_url.clone() target="_top">"Go to the payment page"</a>
                    </section>
                }.into_any(),
            }}
        </div>
    }
}
