//! The storefront that embeds a customer page with `/embed.js`, as the page's interactive part sees
//! it: what the page tells it (lifecycle events and height, to registered origins only), what it
//! may tell the page (hello, cancel: read only from the parent window at a registered origin), and
//! the links that leave the page for the merchant's site, which inside such a storefront navigate
//! its top window through embed.js and never by themselves.

use leptos::prelude::*;

use crate::browser::{content_height, is_embedded, tell_embedder};
use crate::embed_protocol::{
    bounded_height, event_message_json, navigate_message_json, resize_message_json, EmbedEvent,
    NavigateReason,
};
use paydesk_core::model::{LinkKind, LinkRef};

/// The storefront origin whose embed.js said hello to this page: it navigates for the page.
/// `None` on a page of its own, or in a frame without embed.js.
#[derive(Clone, Copy)]
pub struct Storefront(pub RwSignal<Option<String>>);

/// Tells a registered storefront that embeds this page what happens (lifecycle events) and how tall
/// the page is, so `/embed.js` can fire events and size the frame. Browser only; no-op when not
/// embedded.
pub fn report_to_embedder(link: LinkRef, origins: Vec<String>, kind: Memo<&'static str>) {
    if origins.is_empty() {
        return;
    }
    let event_origins = origins.clone();
    Effect::new(move |_| {
        let event = match (kind.get(), link.kind) {
            ("ready" | "card-fields", _) => EmbedEvent::Ready,
            ("paid", LinkKind::Payment) => EmbedEvent::Approved,
            ("paid", LinkKind::Refund) => EmbedEvent::Refunded,
            ("declined", _) => EmbedEvent::Declined,
            ("expired", _) => EmbedEvent::Expired,
            _ => return,
        };
        tell_embedder(&event_origins, &event_message_json(event, &link.id));
    });
    Effect::new(move |_| {
        if !is_embedded() {
            return;
        }
        let origins = origins.clone();
        let last = StoredValue::new(0u32);
        let handle = set_interval_with_handle(
            move || {
                let height = bounded_height(content_height());
                if height != last.get_value() {
                    last.set_value(height);
                    tell_embedder(&origins, &resize_message_json(height));
                }
            },
            std::time::Duration::from_millis(250),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
}

/// Listens to the storefront that embeds this page: its hello makes it the page's navigator
/// ([`Storefront`]); its cancel is recorded on the server (`abandon_link`), and the storefront is
/// told once the record is made. Browser only; no-op when no storefront is registered.
pub fn listen_to_storefront(link: LinkRef, origins: Vec<String>, storefront: Storefront) {
    if origins.is_empty() {
        return;
    }
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let (link, origins) = (link.clone(), origins.clone());
        let cancelling = StoredValue::new(false);
        let handle =
            window_event_listener(leptos::ev::message, move |event: web_sys::MessageEvent| {
                let Some(origin) = from_registered_parent(&event, &origins) else {
                    return;
                };
                let data: String = js_sys::JSON::stringify(&event.data())
                    .map(String::from)
                    .unwrap_or_default();
                match crate::embed_protocol::parse_storefront_message(&data) {
                    Some(crate::embed_protocol::StorefrontMessage::Hello { version: 1 }) => {
                        storefront.0.set(Some(origin));
                    }
                    Some(crate::embed_protocol::StorefrontMessage::Cancel) => {
                        if cancelling.get_value() {
                            return;
                        }
                        cancelling.set_value(true);
                        record_cancel(link.clone(), origin, cancelling);
                    }
                    _ => {}
                }
            });
        on_cleanup(move || handle.remove());
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (link, storefront);
}

/// The message's origin when it comes from this page's parent window at a registered origin.
#[cfg(feature = "hydrate")]
fn from_registered_parent(event: &web_sys::MessageEvent, origins: &[String]) -> Option<String> {
    let parent = web_sys::window()?.parent().ok()??;
    let source = event.source()?;
    if !js_sys::Object::is(source.as_ref(), parent.as_ref()) {
        return None;
    }
    let origin = event.origin();
    origins.contains(&origin).then_some(origin)
}

/// Asks the server to record the customer's abandonment, then tells the storefront (whose
/// `cancel()` waits for it) whether it is on record.
#[cfg(feature = "hydrate")]
fn record_cancel(link: LinkRef, origin: String, cancelling: StoredValue<bool>) {
    let locale = crate::browser::page_locale();
    leptos::task::spawn_local(async move {
        let recorded = crate::later_calls::abandon_later(link.clone(), origin.clone(), locale)
            .await
            .unwrap_or(false);
        tell_embedder(
            std::slice::from_ref(&origin),
            &crate::embed_protocol::cancelled_message_json(&link.id, recorded),
        );
        cancelling.set_value(false);
    });
}

/// A link to the merchant's site ("Return to <merchant>", "Back to cart"). In a storefront whose
/// embed.js said hello, a click asks the storefront to navigate its top window (the link itself
/// does not navigate: one navigation, never two); elsewhere it opens in the top window.
#[component]
pub fn LeaveLink(
    url: String,
    label: String,
    reason: NavigateReason,
    class: &'static str,
    testid: &'static str,
) -> impl IntoView {
    let storefront = use_context::<Storefront>();
    let target = url.clone();
    view! {
        <a class=class href=url target="_top" data-testid=testid on:click=move |event| {
            if let Some(origin) = storefront.and_then(|s| s.0.get_untracked()) {
                event.prevent_default();
                tell_embedder(std::slice::from_ref(&origin), &navigate_message_json(&target, reason));
            }
        }>{label}</a>
    }
}
