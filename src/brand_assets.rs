//! `GET /brand.css` (the customer pages' palettes, accent and corner radius, for the storefront's
//! theme in its query) and `GET /brand/logo-<hash>.<ext>` (the merchant's logo, served by paydesk so
//! no third party sees a customer's visit).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use paydesk_core::branding::{Branding, StorefrontTheme};

/// The stylesheet changes only with the settings (a restart) or its query: five minutes.
const STYLESHEET_CACHE: &str = "public, max-age=300";
/// The logo's name carries its content's hash.
const LOGO_CACHE: &str = "public, max-age=31536000, immutable";

/// The two routes, over the deployment's branding.
pub fn router(branding: Arc<Branding>) -> Router {
    Router::new()
        .route("/brand.css", get(stylesheet))
        .route("/brand/{file}", get(logo))
        .with_state(branding)
}

async fn stylesheet(State(branding): State<Arc<Branding>>, RawQuery(query): RawQuery) -> Response {
    let theme = StorefrontTheme::from_query(query.as_deref().unwrap_or_default());
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(STYLESHEET_CACHE),
            ),
        ],
        branding.stylesheet(&theme),
    )
        .into_response()
}

async fn logo(State(branding): State<Arc<Branding>>, Path(file): Path<String>) -> Response {
    match &branding.logo {
        Some(logo) if logo.path.strip_prefix("/brand/") == Some(file.as_str()) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(logo.content_type),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static(LOGO_CACHE)),
            ],
            logo.bytes.to_vec(),
        )
            .into_response(),
        _ => (
            StatusCode::NOT_FOUND,
            [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
            "not found",
        )
            .into_response(),
    }
}
