//! The few browser calls the pages need, as plain functions. Without the `hydrate` feature (on the
//! server) they do nothing, so components can call them unconditionally from event handlers and
//! effects.

/// Waits `ms` milliseconds (browser only).
pub async fn sleep_ms(ms: u32) {
    #[cfg(feature = "hydrate")]
    {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(window) = web_sys::window() {
                let _ = window
                    .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
}

/// This page's origin, e.g. `http://127.0.0.1:3000`.
pub fn own_origin() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().and_then(|w| w.location().origin().ok())
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// Tells a same-origin parent page (our payment page) that this frame has reached our return page.
/// Posted to our own origin only: a storefront or any other parent never receives it.
pub fn notify_parent_returned(checkout_id: &str) {
    #[cfg(feature = "hydrate")]
    {
        let Some(window) = web_sys::window() else {
            return;
        };
        let Ok(Some(parent)) = window.parent() else {
            return;
        };
        if js_sys::Object::is(parent.as_ref(), window.as_ref()) {
            return;
        }
        let Some(origin) = own_origin() else { return };
        let json = crate::frame_protocol::returned_message_json(checkout_id);
        if let Ok(message) = js_sys::JSON::parse(&json) {
            let _ = parent.post_message(&message, &origin);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = checkout_id;
}

/// Opens the browser's print dialog for this page (its print stylesheet keeps the receipt).
pub fn print_page() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}

/// Loads `path` as a new document (not a client-side route change): a page whose CSP differs from
/// this one's (the Commerce Hub new-card page) gets its own.
pub fn load_page(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// Marks the document as hydrated now if it has no islands; otherwise [`island_hydrated`] marks it
/// when the last one is. Tests (and people) wait for the mark: clicks are handled from then on.
pub fn mark_hydrated_when_islands_are() {
    #[cfg(feature = "hydrate")]
    if islands_on_page() == 0 {
        mark_hydrated();
    }
}

/// Called by each island once its view is live (from an effect, which runs after the island's
/// hydration): the document is marked hydrated when every island on it has said so, however
/// Leptos schedules them.
pub fn island_hydrated() {
    #[cfg(feature = "hydrate")]
    {
        thread_local! {
            static HYDRATED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
        }
        let hydrated = HYDRATED.with(|count| {
            count.set(count.get() + 1);
            count.get()
        });
        if hydrated >= islands_on_page() {
            mark_hydrated();
        }
    }
}

/// How many islands the document holds.
#[cfg(feature = "hydrate")]
fn islands_on_page() -> u32 {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector_all("leptos-island").ok())
        .map_or(0, |islands| islands.length())
}

/// Marks the document as hydrated.
#[cfg(feature = "hydrate")]
fn mark_hydrated() {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

/// Moves the keyboard focus to `element` without scrolling the page (or a storefront around it).
#[cfg(feature = "hydrate")]
pub fn focus_without_scrolling(element: &web_sys::HtmlElement) {
    let options = web_sys::FocusOptions::new();
    options.set_prevent_scroll(true);
    let _ = element.focus_with_options(&options);
}

/// Posts `json` to the page that embeds this one, once per registered storefront origin: the
/// browser delivers it only if that origin is the parent's, so an unregistered embedder never
/// receives it.
pub fn tell_embedder(registered_origins: &[String], json: &str) {
    #[cfg(feature = "hydrate")]
    {
        let Some(window) = web_sys::window() else {
            return;
        };
        let Ok(Some(parent)) = window.parent() else {
            return;
        };
        if js_sys::Object::is(parent.as_ref(), window.as_ref()) {
            return;
        }
        let Ok(message) = js_sys::JSON::parse(json) else {
            return;
        };
        for origin in registered_origins {
            let _ = parent.post_message(&message, origin);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (registered_origins, json);
}

/// The height the page's content needs, in CSS pixels (browser only; 0 on the server).
pub fn content_height() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        let document = web_sys::window().and_then(|w| w.document());
        let main = document.and_then(|d| d.query_selector("main").ok().flatten());
        main.map(|m| m.get_bounding_client_rect().bottom() + 16.0)
            .unwrap_or(0.0)
    }
    #[cfg(not(feature = "hydrate"))]
    0.0
}

/// True when this page is inside a frame.
pub fn is_embedded() -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| {
                w.parent()
                    .ok()
                    .flatten()
                    .map(|p| !js_sys::Object::is(p.as_ref(), w.as_ref()))
            })
            .unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

/// The language the page is in: decided by the server from the request, and read back from
/// `<html lang>` in the browser so hydration renders the same words.
pub fn page_locale() -> paydesk_core::i18n::Locale {
    #[cfg(feature = "ssr")]
    let locale = crate::server::request_locale::request_locale();
    #[cfg(feature = "hydrate")]
    let locale = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"))
        .and_then(|lang| paydesk_core::i18n::Locale::parse(&lang))
        .unwrap_or_default();
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    let locale = paydesk_core::i18n::Locale::default();
    locale
}
