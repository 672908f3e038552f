//! The checkout's states other than the hosted form (processing, paid, declined, card fields, …):
//! built into the island that opens on one of them, or loaded from their own WASM chunk the first
//! time a page that opened on the form needs them (split builds), so the form's page is interactive
//! sooner.

use leptos::either::EitherOf7;
use leptos::prelude::*;

use super::card_fields::CardFields;
use super::status_panels::{
    EndedPanel, ExpiredLinkPanel, LockedPanel, PaidPanel, ProcessingPanel, RetryPanel,
};
use super::wording::Wording;
use paydesk_core::i18n::{Locale, Texts};
use paydesk_core::model::{LinkRef, PaymentState};

/// What a state's view needs from the flow around it.
#[derive(Clone)]
pub struct StateArgs {
    pub state: PaymentState,
    pub link: LinkRef,
    pub words: &'static Wording,
    pub texts: &'static Texts,
    pub locale: Locale,
    /// The payment was made on this page, just now.
    pub paid_here: bool,
    pub slow: Signal<bool>,
    pub busy: Signal<bool>,
    pub return_url: Option<String>,
    /// "Return to <merchant>".
    pub return_label: String,
    pub cancel_url: Option<String>,
    pub on_retry: Callback<()>,
    /// The server's answer after a new card was sent.
    pub on_answer: Callback<PaymentState>,
}

/// How the flow gets the views of its states other than the form.
pub trait StateViews: Copy + Send + Sync + 'static {
    fn view(self, args: StateArgs) -> impl IntoView + use<Self>;
    /// Fetches what [`StateViews::view`] will need, once the page is interactive (never before).
    fn preload(self) {}
}

/// Built into the island (it hydrates a page that opened on one of these states).
#[derive(Clone, Copy)]
pub struct BuiltIn;

impl StateViews for BuiltIn {
    fn view(self, args: StateArgs) -> impl IntoView + use<> {
        state_view(args)
    }
}

/// Loaded from its own chunk the first time it is shown (the page opened on the form, which is
/// all it needs until the customer acts); fetched early once the page is interactive.
#[derive(Clone, Copy)]
pub struct LoadedLater;

impl StateViews for LoadedLater {
    fn view(self, args: StateArgs) -> impl IntoView + use<> {
        Suspend::new(leptos::__reexports::send_wrapper::SendWrapper::new(
            state_view_later(args),
        ))
    }

    fn preload(self) {
        let _loaded = leptos::prelude::lazy_preload!(state_view_later);
    }
}

#[leptos::prelude::lazy]
fn state_view_later(args: StateArgs) -> AnyView {
    state_view(args).into_any()
}

/// The view of a state other than the hosted form.
pub fn state_view(args: StateArgs) -> impl IntoView {
    let StateArgs {
        state,
        link,
        words,
        texts,
        locale,
        paid_here,
        slow,
        busy,
        return_url,
        return_label,
        cancel_url,
        on_retry,
        on_answer,
    } = args;
    match state {
        PaymentState::CardFields(form) => EitherOf7::A(view! {
            <CardFields form link words texts locale on_answer />
        }),
        PaymentState::Ended { message } => EitherOf7::B(view! { <EndedPanel words message /> }),
        PaymentState::Processing => EitherOf7::C(view! { <ProcessingPanel words texts slow /> }),
        PaymentState::Paid(receipt) => EitherOf7::D(view! {
            <PaidPanel words texts locale receipt just_now=paid_here return_url return_label />
        }),
        PaymentState::LinkExpired => {
            EitherOf7::E(view! { <ExpiredLinkPanel words texts cancel_url /> })
        }
        PaymentState::Locked { message } => EitherOf7::F(view! { <LockedPanel texts message /> }),
        other => {
            let (testid, heading, message) = match other {
                PaymentState::Declined { message } => {
                    ("checkout-declined", words.declined_heading, message)
                }
                PaymentState::Failed { message } => {
                    ("checkout-error", words.failed_heading, message)
                }
                PaymentState::Unavailable { message } => {
                    ("checkout-unavailable", texts.form_unavailable, message)
                }
                _ => ("checkout-error", texts.something_wrong, String::new()),
            };
            EitherOf7::G(view! { <RetryPanel testid heading message on_retry busy texts /> })
        }
    }
}
