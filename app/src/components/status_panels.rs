//! The non-form states of a payment: processing, paid, declined or failed (with "try again"),
//! expired link, and a form that could not start.

use leptos::prelude::*;

use super::embedder::LeaveLink;
use super::wording::Wording;
use crate::embed_protocol::NavigateReason;
use paydesk_core::i18n::{Locale, Texts};
use paydesk_core::model::Receipt;

#[component]
pub fn ProcessingPanel(
    words: &'static Wording,
    texts: &'static Texts,
    #[prop(optional)] slow: Option<Signal<bool>>,
) -> impl IntoView {
    view! {
        <section class="panel" data-testid="checkout-processing" role="status" aria-live="polite">
            <div class="spinner" aria-hidden="true"></div>
            <h2>{words.processing_heading}</h2>
            <p>{words.processing_text}</p>
            {move || slow.map(|s| s.get()).unwrap_or(false).then(|| view! {
                <p data-testid="processing-slow">{texts.slow}</p>
            })}
        </section>
    }
}

#[component]
pub fn PaidPanel(
    words: &'static Wording,
    texts: &'static Texts,
    locale: Locale,
    receipt: Receipt,
    just_now: bool,
    return_url: Option<String>,
    /// "Return to <merchant>".
    return_label: String,
) -> impl IntoView {
    let (testid, heading) = if just_now {
        (words.done_testid, words.done_heading)
    } else {
        (words.already_done_testid, words.already_done_heading)
    };
    view! {
        <section class="panel panel-success" data-testid=testid role="status" aria-live="polite">
            <h2>{heading}</h2>
            <dl class="receipt">
                <div><dt>{texts.amount}</dt><dd data-testid="receipt-amount">{locale.money(receipt.amount)}</dd></div>
                {receipt.card.clone().map(|c| view! { <div><dt>{texts.card}</dt><dd data-testid="receipt-card">{c}</dd></div> })}
                {receipt.auth_code.clone().map(|c| view! { <div><dt>{texts.authorization_code}</dt><dd>{c}</dd></div> })}
                <div><dt>{texts.reference}</dt><dd data-testid="receipt-transaction">{receipt.transaction_id.clone()}</dd></div>
            </dl>
            <button type="button" class="button-secondary" data-testid="print-receipt" on:click=move |_| crate::browser::print_page()>
                {texts.print_receipt}
            </button>
            {return_url.map(|url| view! {
                <LeaveLink url label=return_label reason=NavigateReason::Return class="button" testid="back-to-store" />
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
    texts: &'static Texts,
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
                {move || if busy.get() { texts.starting_new_form } else { texts.try_again }}
            </button>
        </section>
    }
}

/// A link paused after repeated declined cards: no "try again" (it would open nothing); the
/// merchant can unlock it.
#[component]
pub fn LockedPanel(texts: &'static Texts, message: String) -> impl IntoView {
    view! {
        <section class="panel panel-problem" data-testid="checkout-locked" role="alert">
            <h2>{texts.link_paused}</h2>
            <p data-testid="problem-message">{message}</p>
        </section>
    }
}

/// A refund that ended without paying out: nothing more to do here (the merchant was told).
#[component]
pub fn EndedPanel(words: &'static Wording, message: String) -> impl IntoView {
    view! {
        <section class="panel panel-problem" data-testid="checkout-ended" role="alert">
            <h2>{words.failed_heading}</h2>
            <p data-testid="problem-message">{message}</p>
        </section>
    }
}

#[component]
pub fn ExpiredLinkPanel(
    words: &'static Wording,
    texts: &'static Texts,
    cancel_url: Option<String>,
) -> impl IntoView {
    view! {
        <section class="panel panel-problem" data-testid="checkout-expired" role="alert">
            <h2>{words.expired_heading}</h2>
            <p>{words.expired_text}</p>
            {cancel_url.map(|url| view! {
                <LeaveLink url label=texts.back_to_cart.to_string() reason=NavigateReason::Cancel class="button-secondary" testid="cancel-link" />
            })}
        </section>
    }
}
