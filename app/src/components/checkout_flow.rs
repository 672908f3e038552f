//! The checkout's behaviour, shared by its two islands: shows the server's state, reacts to the
//! hosted form's hints by asking the server, replaces expired sessions, offers "try again", and
//! tells an embedding storefront what happens. It never decides "paid" itself.

use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::checkout_states::{StateArgs, StateViews};
use super::embedder::{listen_to_storefront, report_to_embedder, LeaveLink, Storefront};
use super::hosted_frame::HostedFrame;
use super::wording::wording;
use crate::browser::sleep_ms;
use crate::embed_protocol::NavigateReason;
use crate::later_calls::{confirm_later, load_state_later};
use paydesk_core::i18n::{texts, Locale};
use paydesk_core::model::{LinkRef, PaymentState};

/// A stable name per state, for `data-state` and for choosing what to render.
fn state_name(state: &PaymentState) -> &'static str {
    match state {
        PaymentState::Ready(_) => "ready",
        PaymentState::Processing => "processing",
        PaymentState::Paid(_) => "paid",
        PaymentState::Declined { .. } => "declined",
        PaymentState::Failed { .. } => "error",
        PaymentState::LinkExpired => "expired",
        PaymentState::Unavailable { .. } => "unavailable",
        PaymentState::Locked { .. } => "locked",
        PaymentState::CardFields(_) => "card-fields",
        PaymentState::Ended { .. } => "ended",
    }
}

/// Asks the server until it knows the outcome. A "still untouched" answer right after a hint gets a
/// few seconds' grace (the gateway may not have recorded it yet) before the form is shown again.
pub async fn confirm_until_settled(
    link: LinkRef,
    locale: Locale,
    state: RwSignal<PaymentState>,
    paid_here: RwSignal<bool>,
    slow: RwSignal<bool>,
) {
    state.set(PaymentState::Processing);
    let mut untouched = 0;
    let mut delay = 500;
    for round in 0u32.. {
        if round == 12 {
            slow.set(true);
        }
        match confirm_later(link.clone(), locale).await {
            Ok(PaymentState::Processing) | Err(_) => {}
            Ok(PaymentState::Ready(form)) => {
                untouched += 1;
                if untouched >= 6 {
                    state.set(PaymentState::Ready(form));
                    return;
                }
            }
            Ok(settled) => {
                if matches!(settled, PaymentState::Paid(_)) {
                    paid_here.set(true);
                }
                state.set(settled);
                return;
            }
        }
        sleep_ms(delay).await;
        delay = (delay * 3 / 2).min(5_000);
    }
}

/// Moves the focus to the page's status region, where the outcome of what the customer just did
/// is announced (the hosted form that had the focus is about to leave the page).
fn focus_status(region: NodeRef<leptos::html::Div>) {
    #[cfg(feature = "hydrate")]
    if let Some(region) = region.get_untracked() {
        crate::browser::focus_without_scrolling(&region);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = region;
}

/// The checkout island's state, shared by its callbacks and its view.
#[derive(Clone, Copy)]
struct FlowState {
    state: RwSignal<PaymentState>,
    /// The payment was made on this page, just now (not found made on arrival).
    paid_here: RwSignal<bool>,
    busy: RwSignal<bool>,
    slow: RwSignal<bool>,
    confirming: RwSignal<bool>,
    /// The customer asked for a form (try again, or a session replaced): it takes the focus.
    asked_for_form: RwSignal<bool>,
    status_region: NodeRef<leptos::html::Div>,
}

/// Asks the server for the link's state (a new session when `retry`), one request at a time.
fn session_requester(link: LinkRef, locale: Locale, flow: FlowState) -> Callback<bool> {
    Callback::new(move |retry: bool| {
        if flow.busy.get_untracked() {
            return;
        }
        flow.busy.set(true);
        flow.asked_for_form.set(true);
        let link = link.clone();
        spawn_local(async move {
            match load_state_later(link, retry, locale).await {
                Ok(page_state) => flow.state.set(page_state),
                Err(error) => flow.state.set(PaymentState::Unavailable {
                    message: error.0.message,
                }),
            }
            flow.busy.set(false);
        })
    })
}

/// The hosted form says it finished: ask the server until the outcome is settled (once at a time).
fn settle_watcher(link: LinkRef, locale: Locale, flow: FlowState) -> Callback<()> {
    Callback::new(move |()| {
        if flow.confirming.get_untracked() {
            return;
        }
        flow.confirming.set(true);
        focus_status(flow.status_region);
        let link = link.clone();
        spawn_local(async move {
            confirm_until_settled(link, locale, flow.state, flow.paid_here, flow.slow).await;
            flow.confirming.set(false);
        });
    })
}

/// The server's answer after a new card was sent (card fields): still processing means asking
/// until it settles.
fn answer_handler(flow: FlowState, on_finished: Callback<()>) -> Callback<PaymentState> {
    Callback::new(move |answer: PaymentState| {
        focus_status(flow.status_region);
        match answer {
            PaymentState::Processing => on_finished.run(()),
            PaymentState::Paid(_) => {
                flow.paid_here.set(true);
                flow.state.set(answer);
            }
            other => flow.state.set(other),
        }
    })
}

/// The islands' props: what the server knows when it renders the page.
pub struct FlowProps {
    pub initial: PaymentState,
    pub link: LinkRef,
    pub locale: Locale,
    pub embed_origins: Vec<String>,
    pub merchant_name: String,
    pub return_url: Option<String>,
    pub cancel_url: Option<String>,
}

/// The island's view: the hosted form, or another state's view from `views`.
pub fn checkout_flow(props: FlowProps, views: impl StateViews) -> impl IntoView {
    let FlowProps {
        initial,
        link,
        locale,
        embed_origins,
        merchant_name,
        return_url,
        cancel_url,
    } = props;
    provide_context(locale);
    let storefront = Storefront(RwSignal::new(None));
    provide_context(storefront);
    // Runs once this island's view is live in the browser; then what the next step needs loads.
    Effect::new(move |_| {
        crate::browser::island_hydrated();
        views.preload();
        crate::later_calls::preload();
    });
    let texts = texts(locale);
    let words = wording(link.kind, locale);
    let checkout_id = link.id.clone();
    let cancel_link = cancel_url.clone();
    let flow = FlowState {
        state: RwSignal::new(initial),
        paid_here: RwSignal::new(false),
        busy: RwSignal::new(false),
        slow: RwSignal::new(false),
        confirming: RwSignal::new(false),
        asked_for_form: RwSignal::new(false),
        status_region: NodeRef::new(),
    };
    let FlowState {
        state,
        paid_here,
        busy,
        slow,
        asked_for_form,
        status_region,
        ..
    } = flow;
    let kind = Memo::new(move |_| state.with(state_name));
    let form = Signal::derive(move || match state.get() {
        PaymentState::Ready(form) => Some(form),
        _ => None,
    });
    let request_session = session_requester(link.clone(), locale, flow);
    let on_finished = settle_watcher(link.clone(), locale, flow);
    let on_answer = answer_handler(flow, on_finished);
    listen_to_storefront(link.clone(), embed_origins.clone(), storefront);
    report_to_embedder(link.clone(), embed_origins, kind);
    let return_label = format!("{} {merchant_name}", texts.return_to);

    let on_expired = Callback::new(move |()| request_session.run(false));
    let on_retry = Callback::new(move |()| request_session.run(true));

    view! {
            <div class="checkout-body" data-testid="checkout-state" data-state=move || kind.get() tabindex="-1" node_ref=status_region>
                {move || {
                    let checkout_id = checkout_id.clone();
                    match kind.get() {
                        "ready" => Either::Left(view! {
                            <HostedFrame form checkout_id words texts on_finished on_expired take_focus=asked_for_form.into() />
                        }),
                        _ => Either::Right(views.view(StateArgs {
                            state: state.get_untracked(),
                            link: link.clone(),
                            words,
                            texts,
                            locale,
                            paid_here: paid_here.get_untracked(),
                            slow: slow.into(),
                            busy: busy.into(),
                            return_url: return_url.clone(),
                            return_label: return_label.clone(),
                            cancel_url: cancel_url.clone(),
                            on_retry,
                            on_answer,
                        })),
                    }
                }}
            </div>
            {move || (!matches!(kind.get(), "paid" | "expired")).then(|| cancel_link.clone()).flatten().map(|url| view! {
                <p class="cancel"><LeaveLink url label=texts.back_to_cart.to_string() reason=NavigateReason::Cancel class="" testid="cancel-link" /></p>
            })}
    }
}
