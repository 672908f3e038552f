//! The browser entry point: hydrates the islands of a server-rendered page (the only parts that run
//! in the browser); the page is marked hydrated once they all are.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // Leptos's island script hydrates each island after this returns; each says so when its view
    // is live, and the last one marks the page (a page without islands is marked now).
    app::browser::mark_hydrated_when_islands_are();
}
