//! Server-only Leptos glue (the `ssr` feature): the language of the page being rendered, and the
//! security headers of every rendered page.

pub mod request_locale;
pub mod security_headers;
