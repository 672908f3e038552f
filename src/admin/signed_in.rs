//! Who is asking and whether their role lets them: the one extractor every console handler takes
//! (`Staff<may::…>`), and the page every console handler answers with when storage fails.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use paydesk_core::permissions::Permission;
use paydesk_core::store::StaffSessionRecord;

use super::auth;
use super::console_state::ConsoleState;
use super::html::{escape, page};

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

/// What a console handler needs its caller's role to permit (`None`: being signed in).
pub trait Needs {
    const PERMISSION: Option<Permission>;
}

/// The permissions a handler can ask for, as types: `Staff<may::Payout>`.
pub mod may {
    use crate::admin::signed_in::Needs;
    use paydesk_core::permissions::Permission;

    macro_rules! needs {
        ($($(#[$doc:meta])* $name:ident => $permission:expr;)*) => {$(
            $(#[$doc])*
            pub struct $name;
            impl Needs for $name {
                const PERMISSION: Option<Permission> = $permission;
            }
        )*};
    }

    needs! {
        /// Any signed-in staff member (signing out, their own time zone).
        SignIn => None;
        View => Some(Permission::View);
        Export => Some(Permission::Export);
        Operate => Some(Permission::Operate);
        Payout => Some(Permission::Payout);
        StopPayout => Some(Permission::StopPayout);
        Approve => Some(Permission::Approve);
        Administer => Some(Permission::Administer);
    }
}

/// The signed-in staff member of a console request whose role permits `P`: a handler that takes
/// it runs only then (anyone signed out goes to the login page; a role without the permission
/// gets 403 and the request is logged).
pub struct Staff<P: Needs>(pub StaffSessionRecord, pub PhantomData<P>);

impl<P: Needs> FromRequestParts<ConsoleState> for Staff<P> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ConsoleState,
    ) -> Result<Self, Self::Rejection> {
        let session = require(state, &parts.headers).await?;
        match P::PERMISSION {
            Some(permission) if !session.role.permits(permission) => {
                tracing::warn!(
                    staff = %session.email,
                    role = session.role.as_str(),
                    permission = permission.as_str(),
                    path = parts.uri.path(),
                    "console request refused: the role lacks the permission"
                );
                Err(not_permitted(&session, permission))
            }
            _ => Ok(Staff(session, PhantomData)),
        }
    }
}

/// 403: what the role does not allow, and who can change it.
fn not_permitted(session: &StaffSessionRecord, permission: Permission) -> Response {
    let body = format!(
        r#"<h1>Not allowed</h1><p class="problem" role="alert" data-testid="not-permitted">Your role ({role}) does not allow this ({permission}). An administrator can change your role with <code>paydesk staff set-role</code>.</p><p><a href="/admin">Back to the dashboard</a></p>"#,
        role = escape(session.role.as_str()),
        permission = permission.as_str(),
    );
    page(StatusCode::FORBIDDEN, "Not allowed", Some(session), &body)
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

/// The layout's signed-in part (email, role and CSRF token) for `session`.
pub fn signed_in(session: &StaffSessionRecord) -> Option<&StaffSessionRecord> {
    Some(session)
}
