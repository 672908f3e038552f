//! Who may call the merchant API: an active bearer token with the scope the endpoint needs (any
//! scope may read). Tokens are looked up by their SHA-256 hash: the database never holds one.

use axum::extract::Request;
use paydesk_core::api_tokens::{self, Scope};
use paydesk_core::store::{now_ms, Store};
use paydesk_core::AppState;
use std::sync::Arc;

use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;

use super::error::ApiError;
use crate::rate_limits::{retry_after_secs, Limiter};

/// `routes`, each admitted only with a token that has `scope`, at the token's rate.
pub fn guarded(
    routes: Router<AppState>,
    scope: Scope,
    state: &AppState,
    rate: Arc<Limiter<String>>,
) -> Router<AppState> {
    let store = state.store.clone();
    routes.route_layer(axum::middleware::from_fn(
        move |request: Request, next: Next| {
            let store = store.clone();
            let rate = rate.clone();
            async move { require_scope(&store, scope, &rate, request, next).await }
        },
    ))
}

/// Admits a request whose bearer token is active and has `scope`. Tokens are looked up by their
/// SHA-256 hash: the database never holds one, and the comparison leaks nothing usable.
/// The token's identity travels on as a [`Caller`] extension.
async fn require_scope(
    store: &Store,
    scope: Scope,
    rate: &Limiter<String>,
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
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Send an API token as 'Authorization: Bearer <token>'.",
        )
        .into_response();
    };
    let token = match store.active_token(&api_tokens::hash(presented)).await {
        Ok(Some(token)) => token,
        Ok(None) => {
            return ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "The API token is not valid or has been revoked.",
            )
            .into_response()
        }
        Err(error) => return ApiError::internal(error).into_response(),
    };
    if !api_tokens::allows(&token.scopes, scope) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            format!(
                "This API token lacks the '{}' scope (it has: {}).",
                scope.as_str(),
                token.scopes
            ),
        )
        .into_response();
    }
    if let Err(wait) = rate.check(&token.id) {
        let seconds = retry_after_secs(wait);
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("Too many requests with this API token; retry after {seconds} second(s)."),
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        return response;
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
    /// Whether the token has `scope` (any scope may read).
    pub fn may(&self, scope: Scope) -> bool {
        api_tokens::allows(&self.scopes, scope)
    }
}
