//! The whole application's HTTP surface in one place: customer pages (Leptos), the merchant API,
//! the staff console, the gateway webhook and health, behind the layers every response passes
//! (security headers, a request span so one request's log lines can be followed).

use std::sync::Arc;
use std::time::Duration;

use app::server::request_locale::locale_of;
use app::server::security_headers::set_default_headers;
use app::{shell, App};
use axum::extract::{FromRef, MatchedPath, Request};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use paydesk_core::measures;
use paydesk_core::payments::WebhookInbox;
use paydesk_core::AppState;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::admin::login_guard::LoginGuard;
use crate::assets::SiteAssets;
use crate::client_addr::{tag_client_addr, ClientAddr};
use crate::gateway_webhook::{self, WebhookState};
use crate::rate_limits::{retry_after_secs, slow_down_page, Limiter, RateLimits};
use secrecy::SecretString;

/// What the edge holds for every request: the rate limits, the console's sign-in guard, how the
/// client's address is read, and a request's deadline.
#[derive(Clone)]
pub struct Edge {
    pub limits: RateLimits,
    pub login_guard: Arc<LoginGuard>,
    pub client_ip_header: Option<HeaderName>,
    /// How long a request may take, its body included, until its answer starts (`408` after).
    pub request_timeout: Duration,
    /// How long a console session may go unused before it ends.
    pub console_idle: Duration,
}

/// The customer pages' router state: the core's state, and the options Leptos renders with.
#[derive(Clone)]
struct PageState {
    app: AppState,
    leptos_options: LeptosOptions,
}

impl FromRef<PageState> for LeptosOptions {
    fn from_ref(state: &PageState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<PageState> for AppState {
    fn from_ref(state: &PageState) -> Self {
        state.app.clone()
    }
}

/// Every route of paydesk's own origin.
pub fn router(
    state: AppState,
    leptos_options: LeptosOptions,
    assets: SiteAssets,
    webhook_secrets: Vec<SecretString>,
    edge: Edge,
    measure_requests: bool,
) -> Router {
    let pages_state = PageState {
        app: state.clone(),
        leptos_options: leptos_options.clone(),
    };
    let pages = Router::new()
        .leptos_routes_with_context(
            &pages_state,
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
        .fallback(leptos_axum::file_and_error_handler::<PageState, _>(shell))
        .with_state(pages_state);
    let webhooks = Router::new()
        .route("/webhooks/gateway", post(gateway_webhook::receive))
        .with_state(WebhookState {
            app: state.clone(),
            secrets: webhook_secrets.into(),
            inbox: WebhookInbox::start(&state),
        });
    let branding = state.branding.clone();
    let page_views = edge.limits.page_views.clone();
    let https = state.config.public_url.starts_with("https://");
    let client_ip_header = edge.client_ip_header.clone();
    let request_timeout = edge.request_timeout;
    let router = Router::new()
        .route("/healthz", get(crate::health::ready))
        .route("/health/ready", get(crate::health::ready))
        .route("/health/live", get(crate::health::live))
        .with_state(state.clone())
        .merge(crate::api::router(
            state.clone(),
            crate::api::ApiLimits {
                per_token: edge.limits.api_requests.clone(),
                bad_tokens: edge.limits.api_bad_tokens.clone(),
            },
        ))
        .merge(crate::admin::router(
            state,
            edge.limits.clone(),
            edge.login_guard.clone(),
            edge.console_idle,
        ))
        .merge(webhooks)
        .merge(assets.router())
        .merge(crate::brand_assets::router(branding))
        .merge(pages.layer(axum::middleware::from_fn(move |request, next| {
            customer_page_limit(page_views.clone(), request, next)
        })))
        .layer(axum::middleware::from_fn(move |request, next| {
            security_headers(https, request, next)
        }))
        .layer(axum::middleware::from_fn(move |request, next| {
            tag_client_addr(client_ip_header.clone(), request, next)
        }));
    let router = if measure_requests {
        router.layer(axum::middleware::from_fn(measure_request))
    } else {
        router
    };
    // Responses already encoded (the precompressed files under /pkg) pass through as they are.
    router
        .layer(CompressionLayer::new())
        // A slow client (a body sent a byte at a time) holds its connection no longer than this.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(axum::middleware::from_fn(crate::request_id::assign))
}

/// Counts and times every request by its route template (a file under `/pkg` as `/pkg/{file}`, any
/// other path no route matched as `unmatched`), so labels never hold an id.
async fn measure_request(request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let route = match request.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str().to_string(),
        None if request.uri().path().starts_with("/pkg/") => "/pkg/{file}".to_string(),
        None => "unmatched".to_string(),
    };
    let response = next.run(request).await;
    measures::http_request(
        method.as_str(),
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// Holds a client that views customer pages (or calls them) faster than a person could: a calm page
/// in their language, with `Retry-After`. Files under `/pkg` are not counted.
async fn customer_page_limit(
    limiter: Arc<Limiter<std::net::IpAddr>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let counted = ["/pay/", "/refund/", "/rpc/"]
        .iter()
        .any(|prefix| path.starts_with(prefix));
    let Some(client) = request.extensions().get::<ClientAddr>().copied() else {
        return next.run(request).await;
    };
    if !counted {
        return next.run(request).await;
    }
    let addr = client.0;
    match limiter.check(&client.network()) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            tracing::warn!(client = %addr, path, "customer page views held by the rate limit");
            let locale = locale_of(request.uri(), request.headers());
            slow_down_page(locale, retry_after_secs(wait))
        }
    }
}

/// One span per request, with its id (the answer's `Request-Id`): every log line written while
/// serving it carries them. The query string is left out (a refund link's signature travels in it).
fn request_span(request: &Request) -> tracing::Span {
    let id = request
        .extensions()
        .get::<crate::request_id::RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_else(|| "req_unassigned".into());
    tracing::info_span!(
        "request",
        id = %id,
        method = %request.method(),
        path = %request.uri().path(),
    )
}

async fn security_headers(https: bool, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    set_default_headers(response.headers_mut(), https);
    response
}
