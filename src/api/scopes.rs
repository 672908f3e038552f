//! Who may call the merchant API: an active bearer token whose scopes grant the permission the
//! endpoint needs (`permissions`: the console's roles are checked against the same list). Tokens are looked up by their SHA-256 hash: the database never holds one.

use axum::extract::Request;
use paydesk_core::api_tokens;
use paydesk_core::permissions::{scopes_permit, Permission};
use paydesk_core::store::{now_ms, Store};
use paydesk_core::AppState;
use std::net::IpAddr;
use std::sync::Arc;

use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;

use super::error::ApiError;
use crate::client_addr::ClientAddr;
use crate::rate_limits::{retry_after_secs, Limiter};

/// `routes` (one path's methods), each admitted only with a token granted `permission`, at the
/// token's rate.
pub fn guarded(
    routes: MethodRouter<AppState>,
    permission: Permission,
    state: &AppState,
    limits: ApiLimits,
) -> MethodRouter<AppState> {
    let store = state.store.clone();
    routes.route_layer(axum::middleware::from_fn(
        move |request: Request, next: Next| {
            let store = store.clone();
            let limits = limits.clone();
            async move { require_permission(&store, permission, &limits, request, next).await }
        },
    ))
}

/// The API's rates: requests per token, and requests without a valid token per client address.
#[derive(Clone)]
pub struct ApiLimits {
    pub per_token: Arc<Limiter<String>>,
    pub bad_tokens: Arc<Limiter<IpAddr>>,
}

/// 401 with `message` — or 429 once this client has sent too many requests without a valid token
/// (guessing or a revoked token in a loop), so each costs a lookup no longer.
fn unauthorized(limits: &ApiLimits, request: &Request, message: &'static str) -> Response {
    let client = request.extensions().get::<ClientAddr>().copied();
    if let Some(Err(wait)) = client.map(|client| limits.bad_tokens.check(&client.network())) {
        return rate_limited(
            wait,
            "Too many requests without a valid API token from this address",
        );
    }
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message).into_response()
}

/// 429 `rate_limited` with when to retry.
fn rate_limited(wait: std::time::Duration, what: &str) -> Response {
    let seconds = retry_after_secs(wait);
    let mut response = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("{what}; retry after {seconds} second(s)."),
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// Admits a request whose bearer token is active and grants `permission`. Tokens are looked up by their
/// SHA-256 hash: the database never holds one, and the comparison leaks nothing usable.
/// The token's identity travels on as a [`Caller`] extension.
async fn require_permission(
    store: &Store,
    permission: Permission,
    limits: &ApiLimits,
    request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(presented) = presented else {
        return unauthorized(
            limits,
            &request,
            "Send an API token as 'Authorization: Bearer <token>'.",
        );
    };
    let token = match store.active_token(&api_tokens::hash(presented)).await {
        Ok(Some(token)) => token,
        Ok(None) => {
            return unauthorized(
                limits,
                &request,
                "The API token is not valid or has been revoked.",
            )
        }
        Err(error) => return ApiError::internal(error).into_response(),
    };
    if !scopes_permit(&token.scopes, permission) {
        let needed = permission
            .scope()
            .map_or("a person's", |scope| scope.as_str());
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            format!(
                "This API token lacks the '{needed}' scope (it has: {}).",
                token.scopes
            ),
        )
        .into_response();
    }
    if let Err(wait) = limits.per_token.check(&token.id) {
        return rate_limited(wait, "Too many requests with this API token");
    }
    let caller = Caller {
        token_id: token.id.clone(),
        scopes: token.scopes.clone(),
    };
    // Record use at most once a minute: no database write on every request.
    let now = now_ms();
    if token.last_used_at.is_none_or(|at| now - at >= 60_000) {
        if let Err(error) = store.touch_token(&token.id, now).await {
            tracing::warn!(%error, "could not record token use");
        }
    }
    let mut request = request;
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// Who made an API request: the token, for what its scopes let it see and for the audit log.
#[derive(Clone, Debug)]
pub struct Caller {
    pub token_id: String,
    scopes: String,
}

impl Caller {
    /// Whether the token's scopes grant `permission`.
    pub fn may(&self, permission: Permission) -> bool {
        scopes_permit(&self.scopes, permission)
    }
}
