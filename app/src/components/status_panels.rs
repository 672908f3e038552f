//! The non-form states of a payment: processing, paid, declined or failed (with "try again"), expired link,
//! and a form that could not start.

use leptos::prelude::*;

use super::wording::Wording;
use crate::model::Receipt;

#[component]
pub fn ProcessingPanel(words: &'static Wording, #[prop(optional)] slow: Option<Signal<bool>>) -> impl IntoView {
    view! {
        <section class="panel" data-testid="checkout-processing" role="status" aria-live="polite">
            <div class="spinner" aria-hidden="true"></div>
            <h2>{words.processing_heading}</h2>
            <p>{words.processing_text}</p>
            {move || slow.map(|s| s.get()).unwrap_or(false).then(|| view! {
                <p data-testid="processing-slow">"This is taking longer than usual. You will not be charged twice; we will show the result as soon as it is confirmed."</p>
            })}
        </section>
    }
}

#[component]
pub fn PaidPanel(words: &'static Wording, receipt: Receipt, just_now: bool, return_url: Option<String>) -> impl IntoView {
    let (testid, heading) = if just_now {
        (words.done_testid, words.done_heading)
    } else {
        (words.already_done_testid, words.already_done_heading)
    };
    view! {
        <section class="panel panel-success" data-testid=testid role="status" aria-live="polite">
            <h2>{heading}</h2>
            <dl class="receipt">
                <div><dt>"Amount"</dt><dd data-testid="receipt-amount">{receipt.amount.display()}</dd></div>
                {receipt.card.clone().map(|c| view! { <div><dt>"Card"</dt><dd data-testid="receipt-card">{c}</dd></div> })}
                {receipt.auth_code.clone().map(|c| view! { <div><dt>"Authorization code"</dt><dd>{c}</dd></div> })}
                <div><dt>"Reference"</dt><dd data-testid="receipt-transaction">{receipt.transaction_id.clone()}</dd></div>
            </dl>
            {return_url.map(|url| view! {
                <a class="button" href=url target="_top" data-testid="back-to-store">"Back to the store"</a>
            })}
        </section>
    }
}

/// Declined, failed, or could not start: a message and a way to try again.
#[component]
pub fn RetryPanel(
    testid: &'static str,
    heading: &'static str,
    message: String,
    on_retry: Callback<()>,
    busy: Signal<bool>,
) -> impl IntoView {
    view! {
        <section class="panel panel-problem" data-testid=testid role="alert">
            <h2>{heading}</h2>
            <p data-testid="problem-message">{message}</p>
            <button
                class="button"
                data-testid="try-again"
                disabled=move || busy.get()
                on:click=move |_| on_retry.run(())
            >
                {move || if busy.get() { "Starting a new secure form…" } else { "Try again" }}
            </button>
        </section>
    }
}

#[component]
pub fn ExpiredLinkPanel(words: &'static Wording, cancel_url: Option<String>) -> impl IntoView {
    view! {
        <section class="panel panel-problem" data-testid="checkout-expired" role="alert">
            <h2>{words.expired_heading}</h2>
            <p>{words.expired_text}</p>
            {cancel_url.map(|url| view! { <a class="button-secondary" href=url target="_top">"Back to the store"</a> })}
        </section>
    }
}
