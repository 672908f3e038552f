//! The HTML shell (with its security headers) and the router.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::browser::page_locale;
use crate::pages::home::HomePage;
use crate::pages::not_found::NotFound;
use crate::pages::pay::PayPage;
use crate::pages::pay_return::ReturnPage;
use crate::pages::refund::RefundPage;
use paydesk_core::model::LinkKind;

pub fn shell(options: leptos::config::LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::security_headers::set_page_headers();
    let locale = page_locale();
    let stylesheet = stylesheet_href();
    let (theme, brand_stylesheet) = page_theme();
    view! {
        <!DOCTYPE html>
        <html lang=locale.code() data-theme=theme>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="referrer" content="strict-origin-when-cross-origin" />
                <AutoReload options=options.clone() />
                <link rel="stylesheet" href=stylesheet />
                <link rel="stylesheet" href=brand_stylesheet />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The stylesheet's content-hashed URL (the plain name outside a page served by the app, e.g. the
/// file-or-404 fallback).
fn stylesheet_href() -> String {
    #[cfg(feature = "ssr")]
    if let Some(state) = use_context::<paydesk_core::AppState>() {
        return state.stylesheet.to_string();
    }
    "/pkg/paydesk.css".to_string()
}

/// The page's `data-theme` (light, dark or auto) and its brand stylesheet's URL: the deployment's
/// branding, with the theme an embedding storefront put in the page's URL (`theme`, `background`,
/// `accent`).
fn page_theme() -> (&'static str, String) {
    #[cfg(feature = "ssr")]
    if let Some(state) = use_context::<paydesk_core::AppState>() {
        use paydesk_core::branding::StorefrontTheme;
        let query = use_context::<http::request::Parts>()
            .and_then(|parts| parts.uri.query().map(str::to_string))
            .unwrap_or_default();
        let storefront = StorefrontTheme::from_query(&query);
        return (
            state.branding.mode_for(&storefront).as_str(),
            format!("/brand.css{}", storefront.stylesheet_query()),
        );
    }
    ("auto", "/brand.css".to_string())
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(page_locale());
    view! {
        <Router>
            <main class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/pay/:id") view=PayPage ssr=SsrMode::Async />
                    <Route path=path!("/pay/:id/return") view=|| view! { <ReturnPage kind=LinkKind::Payment /> } ssr=SsrMode::Async />
                    <Route path=path!("/refund/:id") view=RefundPage ssr=SsrMode::Async />
                    <Route path=path!("/refund/:id/return") view=|| view! { <ReturnPage kind=LinkKind::Refund /> } ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}
