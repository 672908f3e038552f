//! The browser entry point: hydrates the islands of a server-rendered page (the only parts that run
//! in the browser), then marks the page hydrated.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // Leptos's island script hydrates each island right after this returns, in microtasks; a task
    // queued now runs once they all have (tests and tools wait for this mark before clicking).
    app::browser::mark_hydrated_after_islands();
}
