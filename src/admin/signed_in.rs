//! Who is asking: the signed-in staff member of a console request (or a redirect to sign in), and
//! the page every console handler answers with when storage fails.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use paydesk_core::store::StaffSessionRecord;

use super::auth;
use super::console_state::ConsoleState;
use super::html::page;

/// The signed-in staff member, or a redirect to the login page.
pub async fn require(
    state: &ConsoleState,
    headers: &HeaderMap,
) -> Result<StaffSessionRecord, Response> {
    match auth::current(&state.app.store, headers, state.session_idle).await {
        Ok(Some(session)) => Ok(session),
        Ok(None) => Err(Redirect::to("/admin/login").into_response()),
        Err(error) => Err(internal(error)),
    }
}

/// The signed-in staff member of a console request, as an extractor: a handler that takes it runs
/// only for a signed-in staff member (anyone else is sent to the login page).
pub struct StaffSession(pub StaffSessionRecord);

impl FromRequestParts<ConsoleState> for StaffSession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ConsoleState,
    ) -> Result<Self, Self::Rejection> {
        require(state, &parts.headers).await.map(StaffSession)
    }
}

/// The answer when storage failed: logged, and a page that says only to try again.
pub fn internal(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "console storage problem");
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Error",
        None,
        "<h1>Something went wrong</h1><p>Please try again.</p>",
    )
}

/// The layout's signed-in part (email and CSRF token) for `session`.
pub fn signed_in(session: &StaffSessionRecord) -> Option<(&str, &str)> {
    Some((session.email.as_str(), session.csrf_token.as_str()))
}
