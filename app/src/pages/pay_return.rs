//! `/pay/{id}/return` and `/refund/{id}/return`: where the hosted form sends the customer. The
//! URL's result parameters are ignored: the server confirms with the gateway. Inside our own page's
//! iframe it also tells the parent page, which then shows the result itself (one navigation, no
//! loop).

use leptos::either::EitherOf6;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::link_page::PageProblem;
use crate::browser::notify_parent_returned;
use crate::components::checkout_flow::confirm_until_settled;
use crate::components::status_panels::ProcessingPanel;
use crate::components::wording::wording;
use crate::i18n::use_locale;
use crate::server_fns::confirm_link;
use paydesk_core::i18n::{texts, Locale};
use paydesk_core::model::{LinkKind, LinkRef, PaymentState};

#[component]
pub fn ReturnPage(kind: LinkKind) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let link = move || LinkRef {
        kind,
        id: params.read().get("id").unwrap_or_default(),
        sig: query.read().get("sig").unwrap_or_default(),
    };
    let locale = use_locale();
    let outcome = Resource::new_blocking(link, move |link| {
        confirm_link(link.kind, link.id, link.sig, locale)
    });
    view! {
        <Title text=wording(kind, locale).done_heading />
        <Suspense fallback=move || view! { <p class="loading">{texts(locale).confirming}</p> }>
            {move || Suspend::new(async move {
                let link = link();
                match outcome.await {
                    Ok(state) => view! { <ReturnResult link initial=state locale /> }.into_any(),
                    Err(error) => view! { <PageProblem kind error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The outcome, confirmed with the server until it is known, and told to our own parent page (a
/// Leptos island: the part of this page that runs in the browser).
#[island(lazy)]
fn ReturnResult(link: LinkRef, initial: PaymentState, locale: Locale) -> impl IntoView {
    provide_context(locale);
    // Runs once this island's view is live in the browser.
    Effect::new(move |_| crate::browser::island_hydrated());
    let texts = texts(locale);
    let words = wording(link.kind, locale);
    let state = RwSignal::new(initial);
    let paid_here = RwSignal::new(true);
    let slow = RwSignal::new(false);
    {
        let link = link.clone();
        Effect::new(move |_| {
            notify_parent_returned(&link.id);
            if matches!(state.get_untracked(), PaymentState::Processing) {
                leptos::task::spawn_local(confirm_until_settled(
                    link.clone(),
                    locale,
                    state,
                    paid_here,
                    slow,
                ));
            }
        });
    }
    let page_url = link.page_url();
    view! {
        <div class="checkout" data-testid="return-state" data-state=move || match state.get() {
            PaymentState::Paid(_) => "paid",
            PaymentState::Processing => "processing",
            PaymentState::Declined { .. } => "declined",
            PaymentState::Failed { .. } => "error",
            PaymentState::LinkExpired => "expired",
            PaymentState::Locked { .. } => "locked",
            _ => "open",
        }>
            {move || match state.get() {
                PaymentState::Paid(receipt) => EitherOf6::A(view! {
                    <section class="panel panel-success" data-testid="return-paid" role="status">
                        <h1>{words.done_heading}</h1>
                        <p data-testid="receipt-amount">{locale.money(receipt.amount)}</p>
                        {receipt.card.map(|c| view! { <p>{c}</p> })}
                        <p>{texts.reference} " " <span data-testid="receipt-transaction">{receipt.transaction_id}</span></p>
                    </section>
                }),
                PaymentState::Processing => EitherOf6::B(view! { <ProcessingPanel words texts slow=slow.into() /> }),
                PaymentState::Declined { message } | PaymentState::Failed { message } => EitherOf6::C(view! {
                    <section class="panel panel-problem" data-testid="return-not-paid" role="alert">
                        <h1>{words.not_complete_heading}</h1>
                        <p>{message}</p>
                        <a class="button" href=page_url.clone() target="_top">{texts.try_again}</a>
                    </section>
                }),
                PaymentState::Locked { message } => EitherOf6::D(view! {
                    <section class="panel panel-problem" data-testid="return-locked" role="alert">
                        <h1>{texts.link_paused}</h1>
                        <p>{message}</p>
                    </section>
                }),
                PaymentState::LinkExpired => EitherOf6::E(view! {
                    <section class="panel panel-problem" data-testid="return-expired" role="alert">
                        <h1>{words.expired_heading}</h1>
                        <p>{words.expired_text}</p>
                    </section>
                }),
                _ => EitherOf6::F(view! {
                    <section class="panel" data-testid="return-open" role="status">
                        <h1>{words.not_complete_heading}</h1>
                        <p>{words.not_complete_text}</p>
                        <a class="button" href=page_url.clone() target="_top">{words.go_to_page}</a>
                    </section>
                }),
            }}
        </div>
    }
}
