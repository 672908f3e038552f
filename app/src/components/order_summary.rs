//! What is being paid or refunded: merchant, amount, reason, order and invoice numbers, and the
//! support reference the customer quotes to the merchant (shown whatever the outcome).

use leptos::prelude::*;

use crate::i18n::use_locale;
use paydesk_core::i18n::texts;
use paydesk_core::model::{CheckoutSummary, LinkKind};

#[component]
pub fn OrderSummary(summary: CheckoutSummary) -> impl IntoView {
    let locale = use_locale();
    let texts = texts(locale);
    view! {
        <header class="summary" data-testid="order-summary">
            <p class="summary-merchant" data-testid="merchant-name">
                {summary.logo.clone().map(|logo| view! { <img class="summary-logo" src=logo alt="" height="32" data-testid="merchant-logo" /> })}
                <span>{summary.merchant_name.clone()}</span>
            </p>
            {(summary.kind == LinkKind::Refund).then(|| view! {
                <p class="summary-kind" data-testid="summary-kind">{texts.refund_to_card}</p>
            })}
            <p class="summary-amount" data-testid="amount">{locale.money(summary.amount)}</p>
            {summary.description.clone().map(|d| view! { <p class="summary-description">{d}</p> })}
            <dl class="summary-refs">
                {summary.order_number.clone().map(|n| view! {
                    <div><dt>{texts.order}</dt><dd data-testid="order-number">{n}</dd></div>
                })}
                {summary.invoice_number.clone().map(|n| view! {
                    <div><dt>{texts.invoice}</dt><dd data-testid="invoice-number">{n}</dd></div>
                })}
                <div><dt>{texts.support_reference}</dt><dd data-testid="support-reference">{summary.support_reference.clone()}</dd></div>
            </dl>
        </header>
    }
}
