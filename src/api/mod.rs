//! The merchant API under `/api/v1`: bearer tokens with scopes, JSON in and out, one error shape.
//! The router and the OpenAPI document are both built from the endpoint table (`endpoints`), so
//! they cannot drift apart.

mod body;
mod checkouts;
mod dashboard;
mod device_refunds;
pub mod endpoints;
pub mod error;
mod error_codes;
mod gateway_refunds;
mod lists;
pub mod openapi;
mod openapi_examples;
mod refund_links;
pub mod scopes;
mod test_helpers;
mod webhook_events;

use axum::body::Bytes;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;
use paydesk_core::AppState;
use tower_http::set_header::SetResponseHeaderLayer;

use endpoints::endpoints;
use error::{api_not_found, json_errors, method_not_allowed};
use scopes::guarded;
pub use scopes::ApiLimits;

/// Every merchant API path starts with this.
pub const API_PREFIX: &str = "/api/v1";

/// The merchant API routes, each behind a token whose scopes grant the permission it needs (any
/// scope may read).
/// `GET /api/v1/openapi.json` is public.
pub fn router(state: AppState, limits: ApiLimits) -> Router {
    // One path's methods (e.g. a list and a create) each keep their own permission.
    let mut paths: Vec<(&str, MethodRouter<AppState>)> = Vec::new();
    for endpoint in endpoints() {
        let path = endpoint
            .path
            .strip_prefix(API_PREFIX)
            .unwrap_or(endpoint.path);
        let methods = guarded(
            (endpoint.handler)(),
            endpoint.permission,
            &state,
            limits.clone(),
        );
        match paths.iter_mut().find(|(known, _)| *known == path) {
            Some((_, known)) => *known = std::mem::take(known).merge(methods),
            None => paths.push((path, methods)),
        }
    }
    let mut api = Router::new();
    for (path, methods) in paths {
        api = api.route(path, methods.fallback(method_not_allowed));
    }
    // Built once per router (its schemas and examples are the same for every request).
    let document = Bytes::from(
        serde_json::to_vec(&openapi::document(&endpoints(), &state.config.public_url))
            .unwrap_or_default(),
    );
    let api = api
        .route(
            "/openapi.json",
            get(move || openapi_document(document.clone())),
        )
        .fallback(api_not_found)
        .layer(axum::middleware::from_fn(json_errors))
        // Answers name payout URLs and customers' orders: no cache (a proxy's, a browser's) keeps one.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(state);
    Router::new().nest(API_PREFIX, api)
}

async fn openapi_document(document: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        document,
    )
        .into_response()
}
