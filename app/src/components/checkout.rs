//! The payment or refund page's content: the order summary and language links (rendered on the
//! server only) and the checkout island, the one piece of the page that runs in the browser. A page
//! that opens on the hosted form (a first visit) gets [`CheckoutFlow`], whose other states load
//! when first needed; any other page gets [`CheckoutFlowResumed`], loaded whole before it hydrates.

use leptos::either::Either;
use leptos::prelude::*;

use super::checkout_flow::{checkout_flow, FlowProps};
use super::checkout_states::{BuiltIn, LoadedLater};
use super::language_switch::LanguageSwitch;
use super::order_summary::OrderSummary;
use crate::i18n::use_locale;
use paydesk_core::i18n::Locale;
use paydesk_core::model::{CheckoutPage, HostedForm, LinkRef, PaymentState};

#[component]
pub fn Checkout(page: CheckoutPage, link: LinkRef) -> impl IntoView {
    let CheckoutPage {
        summary,
        state,
        embed_origins,
    } = page;
    let locale = use_locale();
    let return_url = summary.return_url.clone();
    let cancel_url = summary.cancel_url.clone();
    let merchant_name = summary.merchant_name.clone();
    let flow = match state {
        PaymentState::Ready(form) => Either::Left(view! {
            <CheckoutFlow form link locale embed_origins merchant_name return_url cancel_url />
        }),
        initial => Either::Right(view! {
            <CheckoutFlowResumed initial link locale embed_origins merchant_name return_url cancel_url />
        }),
    };
    view! {
        <div class="checkout">
            <OrderSummary summary />
            <LanguageSwitch />
            {flow}
        </div>
    }
}

/// The checkout of a page that opens on the hosted form (a Leptos island: only this hydrates). It
/// holds only what the form needs; every other state's view loads when first shown.
#[island]
pub fn CheckoutFlow(
    form: HostedForm,
    link: LinkRef,
    locale: Locale,
    embed_origins: Vec<String>,
    merchant_name: String,
    return_url: Option<String>,
    cancel_url: Option<String>,
) -> impl IntoView {
    let props = FlowProps {
        initial: PaymentState::Ready(form),
        link,
        locale,
        embed_origins,
        merchant_name,
        return_url,
        cancel_url,
    };
    checkout_flow(props, LoadedLater)
}

/// The checkout of a page that opens on any other state (paid, processing, card fields, an expired
/// link, …): a lazy island, loaded with every state's view before it hydrates.
#[island(lazy)]
pub fn CheckoutFlowResumed(
    initial: PaymentState,
    link: LinkRef,
    locale: Locale,
    embed_origins: Vec<String>,
    merchant_name: String,
    return_url: Option<String>,
    cancel_url: Option<String>,
) -> impl IntoView {
    let props = FlowProps {
        initial,
        link,
        locale,
        embed_origins,
        merchant_name,
        return_url,
        cancel_url,
    };
    checkout_flow(props, BuiltIn)
}
