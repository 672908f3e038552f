//! The gateway's hosted form in an iframe: listens to its messages (exact origin, exact window,
//! known schema), follows its height, and counts down to the session's expiry.

use std::time::Duration;

use leptos::either::Either;
use leptos::prelude::*;

use super::wording::Wording;
use paydesk_core::i18n::Texts;
use paydesk_core::model::HostedForm;

fn mm_ss(seconds: i64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// The seconds left in the live session, counted down once a second in the browser; a new session
/// restarts it, and its end is reported (`on_expired`) once per session.
fn session_countdown(form: Signal<Option<HostedForm>>, on_expired: Callback<()>) -> RwSignal<i64> {
    let remaining = RwSignal::new(form.get_untracked().map_or(0, |f| f.expires_in_secs));
    let expiry_reported = RwSignal::new(false);

    // A new session restarts the countdown.
    Effect::new(move |_| {
        if let Some(f) = form.get() {
            remaining.set(f.expires_in_secs);
            expiry_reported.set(false);
        }
    });

    // Browser only: tick once a second; report expiry once per session.
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                let left = (remaining.get_untracked() - 1).max(0);
                remaining.set(left);
                if left == 0 && !expiry_reported.get_untracked() {
                    expiry_reported.set(true);
                    on_expired.run(());
                }
            },
            Duration::from_secs(1),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
    remaining
}

#[component]
pub fn HostedFrame(
    /// The live session; changes when it is replaced.
    form: Signal<Option<HostedForm>>,
    checkout_id: String,
    words: &'static Wording,
    texts: &'static Texts,
    /// The form says it finished (a hint: the caller asks the server).
    on_finished: Callback<()>,
    /// The session ran out: the caller asks the server for a fresh one.
    on_expired: Callback<()>,
    /// Whether a new session takes the keyboard focus even inside a storefront's frame (the
    /// customer asked for it). A page of its own always moves focus into its form.
    take_focus: Signal<bool>,
) -> impl IntoView {
    let iframe_ref = NodeRef::<leptos::html::Iframe>::new();
    let remaining = session_countdown(form, on_expired);

    #[cfg(feature = "hydrate")]
    Effect::new({
        let checkout_id = checkout_id.clone();
        move |_| {
            let checkout_id = checkout_id.clone();
            let handle =
                window_event_listener(leptos::ev::message, move |event: web_sys::MessageEvent| {
                    listen::on_message(&event, iframe_ref, form, &checkout_id, on_finished);
                });
            on_cleanup(move || handle.remove());
        }
    });
    // Focus moves into each new session's form once it is on the page; inside a storefront only
    // when the customer asked for the form (the host page keeps its focus on load).
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let session = form.with(|f| f.as_ref().map(|f| f.attempt_id.clone()));
        if session.is_some() && (take_focus.get_untracked() || !crate::browser::is_embedded()) {
            if let Some(iframe) = iframe_ref.get_untracked() {
                crate::browser::focus_without_scrolling(&iframe);
            }
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (&checkout_id, on_finished, take_focus);

    view! {
        <div class="hosted-form-wrap" data-testid="checkout-ready">
            {move || {
                let left = remaining.get();
                let warn = form.get().map_or(60, |f| f.warn_before_secs);
                if left == 0 {
                    Some(Either::Left(view! {
                        <p class="countdown" data-testid="session-refreshing" role="status">
                            {texts.refreshing}
                        </p>
                    }))
                } else if left <= warn {
                    Some(Either::Right(view! {
                        <p class="countdown" data-testid="session-countdown" role="status">
                            {texts.countdown_before} {mm_ss(left)} {texts.countdown_after}
                        </p>
                    }))
                } else {
                    None
                }
            }}
            <iframe
                node_ref=iframe_ref
                class="hosted-form"
                data-testid="hosted-form"
                data-attempt=move || form.get().map(|f| f.attempt_id)
                src=move || form.get().map(|f| f.iframe_url)
                title=words.frame_title
                allow="payment"
                referrerpolicy="strict-origin"
            ></iframe>
            <p class="secure-note">{words.secure_note}</p>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod listen {
    use leptos::prelude::*;

    use crate::browser::own_origin;
    use crate::frame_protocol::{classify, FrameMessage, TrustedOrigins};
    use paydesk_core::model::HostedForm;

    /// Acts on a message only if it comes from our iframe's window *and* from the expected origin.
    pub fn on_message(
        event: &web_sys::MessageEvent,
        iframe_ref: NodeRef<leptos::html::Iframe>,
        form: Signal<Option<HostedForm>>,
        checkout_id: &str,
        on_finished: Callback<()>,
    ) {
        let Some(form) = form.get_untracked() else {
            return;
        };
        let Some(iframe) = iframe_ref.get_untracked() else {
            return;
        };
        let from_our_iframe = match (event.source(), iframe.content_window()) {
            (Some(source), Some(window)) => js_sys::Object::is(source.as_ref(), window.as_ref()),
            _ => false,
        };
        if !from_our_iframe {
            return;
        }
        let own = own_origin().unwrap_or_default();
        let data: String = js_sys::JSON::stringify(&event.data())
            .map(String::from)
            .unwrap_or_default();
        let trusted = TrustedOrigins {
            hosted_form: &form.iframe_origin,
            own: &own,
        };
        match classify(&event.origin(), &trusted, &data) {
            Some(FrameMessage::FormResult { .. }) => on_finished.run(()),
            Some(FrameMessage::Returned { checkout_id: id }) if id == checkout_id => {
                on_finished.run(())
            }
            Some(FrameMessage::Resize { height }) => {
                let _ = web_sys::HtmlElement::style(&iframe)
                    .set_property("height", &format!("{height}px"));
            }
            _ => {}
        }
    }
}
