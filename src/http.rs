//! The whole application's HTTP surface in one place: customer pages (Leptos), the merchant API,
//! the staff console, the gateway webhook and health, behind the layers every response passes
//! (security headers, a request span so one request's log lines can be followed).

use std::sync::Arc;

use app::server::security_headers::set_default_headers;
use app::server::AppState;
use app::{shell, App};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use serde_json::json;
use tower_http::trace::TraceLayer;

use crate::gateway_webhook::{self, WebhookState};
use crate::settings::Secret;

/// Every route of paydesk's own origin.
pub fn router(state: AppState, leptos_options: LeptosOptions, webhook_secret: Secret) -> Router {
    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            generate_route_list(App),
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            {
                let options = leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state.clone());
    let webhooks = Router::new()
        .route("/webhooks/gateway", post(gateway_webhook::receive))
        .with_state(WebhookState {
            app: state.clone(),
            secret: Arc::new(webhook_secret),
        });
    Router::new()
        .route("/healthz", get(health))
        .with_state(state.clone())
        .merge(crate::api::router(state.clone()))
        .merge(crate::admin::router(state))
        .merge(webhooks)
        .merge(pages)
        .layer(axum::middleware::from_fn(security_headers))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
}

/// One span per request, with an id: every log line written while serving it carries them. The
/// query string is left out (a refund link's signature travels in it).
fn request_span(request: &Request) -> tracing::Span {
    tracing::info_span!(
        "request",
        id = %ulid::Ulid::new(),
        method = %request.method(),
        path = %request.uri().path(),
    )
}

/// `GET /healthz`: 200 when the database answers.
async fn health(State(state): State<AppState>) -> Response {
    if state.store.ping().await {
        Json(json!({ "status": "ok" })).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "database unavailable" })),
        )
            .into_response()
    }
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    set_default_headers(response.headers_mut());
    response
}
