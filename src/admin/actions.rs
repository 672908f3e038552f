//! The console's POSTs: sign in and out, capture / void / refund, refund to a different card, new
//! refund links, and a staff member's time zone. Each is CSRF-checked; those that touch money need
//! their confirmation box and are written to the audit log.

use std::collections::HashMap;

use axum::extract::{Extension, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use paydesk_core::model::OperationKind;
use paydesk_core::payments::{
    create_refund_link as create_link, get_checkout, perform, refund_to_new_card, Actor,
    NewRefundLink, OperationRequest, Payout,
};
use paydesk_core::store::StaffSessionRecord;
use serde_json::json;

use super::auth;
use super::console_state::ConsoleState;
use super::html::{escape, page, parse_major_units};
use super::login_guard::FailureNote;
use super::signed_in::{internal, may, signed_in, Staff};
use super::staff_time::StaffTime;
use super::totp;
use super::views::{checkout_view, login_page, new_refund_link_page};
use crate::client_addr::ClientAddr;
use crate::rate_limits::retry_after_secs;

pub type Fields = Form<HashMap<String, String>>;

/// A form field, trimmed (empty when absent).
pub fn field<'a>(fields: &'a HashMap<String, String>, name: &str) -> &'a str {
    fields.get(name).map(|v| v.trim()).unwrap_or_default()
}

/// The idempotency key of a console form: its nonce (a double submission of one form is one
/// action). `None` when the form has none.
pub fn nonce_key(fields: &HashMap<String, String>) -> Option<String> {
    Some(field(fields, "nonce"))
        .filter(|nonce| !nonce.is_empty())
        .map(|nonce| format!("console-{nonce}"))
}

/// Whether a console POST by `session` is genuine (the session's CSRF token, our Origin);
/// otherwise the answer to give instead. Who may send it is the handler's `Staff<may::…>`.
pub fn check_post(
    state: &ConsoleState,
    headers: &HeaderMap,
    session: &StaffSessionRecord,
    fields: &HashMap<String, String>,
) -> Result<(), Box<Response>> {
    if auth::genuine_post(
        headers,
        &state.public_origin,
        session,
        field(fields, "csrf"),
    ) {
        Ok(())
    } else {
        Err(Box::new(forged()))
    }
}

pub fn forged() -> Response {
    page(
        StatusCode::FORBIDDEN,
        "Expired form",
        None,
        "<h1>This form has expired</h1><p>Go back, reload the page and try again.</p>",
    )
}

fn see_other(location: &str, cookie: Option<String>) -> Response {
    let mut response = Redirect::to(location).into_response();
    if let Some(cookie) = cookie.and_then(|c| c.parse().ok()) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// A sign-in that must wait: `429` with `Retry-After` and the reason, on the sign-in page.
fn held(retry_after: u64, problem: &str) -> Response {
    let mut response = login_page(StatusCode::TOO_MANY_REQUESTS, Some(problem));
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    response
}

/// The answer while `email`'s account is locked after repeated failed sign-ins (429 with when to
/// come back); `None` while it is not.
async fn while_locked(state: &ConsoleState, email: &str) -> Option<Response> {
    match state.login_guard.locked_for(email).await {
        Ok(None) => None,
        Ok(Some(wait)) => Some(held(
            retry_after_secs(wait),
            &format!(
                "This account is locked for {} minute(s) after repeated failed sign-ins. Try again later, or ask an administrator.",
                wait.as_secs().div_ceil(60).max(1)
            ),
        )),
        Err(e) => Some(internal(e)),
    }
}

pub async fn login(
    State(state): State<ConsoleState>,
    Extension(client): Extension<ClientAddr>,
    headers: HeaderMap,
    Form(fields): Fields,
) -> Response {
    if headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|o| o != state.public_origin)
    {
        return forged();
    }
    if let Err(wait) = state.limits.login_attempts.check(&client.network()) {
        tracing::warn!(client = %client.0, "console sign-ins held by the rate limit");
        return held(
            retry_after_secs(wait),
            "Too many sign-in attempts from this network. Wait a minute, then try again.",
        );
    }
    let email: String = field(&fields, "email")
        .to_ascii_lowercase()
        .chars()
        .take(200)
        .collect();
    let password = field(&fields, "password").to_string();
    if let Some(answer) = while_locked(&state, &email).await {
        return answer;
    }
    let store = &state.app.store;
    let user = match store.staff_user_by_email(&email).await {
        Ok(user) => user,
        Err(e) => return internal(e),
    };
    // At most a few password hashes at once: a flood waits here, not on checkout's threads.
    let Some(hasher) = state.login_guard.hasher().await else {
        return held(
            5,
            "The console is busy. Wait a few seconds, then try again.",
        );
    };
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let verified = tokio::task::spawn_blocking(move || {
        let verified = auth::verify_password(&password, stored.as_deref());
        drop(hasher);
        verified
    })
    .await
    .unwrap_or(false);
    // The second factor, once the password is right (a code is used up only then).
    let verified = verified
        && match &user {
            Some(user) => {
                match totp::second_factor_ok(store, &user.email, field(&fields, "code")).await {
                    Ok(ok) => ok,
                    Err(e) => return internal(e),
                }
            }
            None => false,
        };
    let Some(user) = user.filter(|_| verified) else {
        let attempted: String = email.chars().take(100).collect();
        // One audit entry when failures start and one when they lock the account, not one per try.
        let note = match state.login_guard.record_failure(&email).await {
            Ok(note) => note,
            Err(e) => return internal(e),
        };
        let entry = match note {
            FailureNote::First => Some(("login.failed", json!({ "client": client.0.to_string() }))),
            FailureNote::Locked { failures } => Some((
                "login.locked",
                json!({ "failures": failures, "lockedForSeconds": state.login_guard.lock_for().as_secs(), "client": client.0.to_string() }),
            )),
            FailureNote::Quiet => None,
        };
        if let Some((action, detail)) = entry {
            if let Err(e) = auth::audit(store, &attempted, action, None, detail).await {
                return internal(e);
            }
        }
        return login_page(
            StatusCode::UNAUTHORIZED,
            Some("The email, the password or the one-time code is not correct."),
        );
    };
    // Checked again now the hash is done: guesses admitted before the lock may finish after it,
    // and the right password then neither signs in nor lifts the lock.
    if let Some(answer) = while_locked(&state, &email).await {
        tracing::warn!(client = %client.0, "a correct password while the account is locked: refused");
        return answer;
    }
    if let Err(e) = state.login_guard.record_success(&email).await {
        return internal(e);
    }
    match auth::start_session(store, &user, state.secure_cookie).await {
        Ok(cookie) => {
            if let Err(e) = auth::audit(store, &user.email, "login", None, json!({})).await {
                return internal(e);
            }
            see_other("/admin", Some(cookie))
        }
        Err(e) => internal(e),
    }
}

pub async fn logout(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::SignIn>,
    headers: HeaderMap,
    Form(fields): Fields,
) -> Response {
    if let Err(answer) = check_post(&state, &headers, &session, &fields) {
        return *answer;
    }
    if let Err(e) = auth::end_session(&state.app.store, &headers).await {
        return internal(e);
    }
    if let Err(e) = auth::audit(&state.app.store, &session.email, "logout", None, json!({})).await {
        return internal(e);
    }
    see_other(
        "/admin/login",
        Some(auth::cleared_cookie(state.secure_cookie)),
    )
}

async fn show_problem(
    state: &ConsoleState,
    session: &StaffSessionRecord,
    id: &str,
    problem: &str,
) -> Response {
    match get_checkout(&state.app, id).await {
        Ok(checkout) => checkout_view(session, &checkout, None, Some(problem)),
        Err(_) => page(
            StatusCode::NOT_FOUND,
            "Not found",
            None,
            "<h1>No payment has this id</h1>",
        ),
    }
}

/// `POST /admin/checkouts/{id}/capture`.
pub async fn capture(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::Operate>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Fields,
) -> Response {
    operate(state, session, headers, id, "capture", fields).await
}

/// `POST /admin/checkouts/{id}/void`.
pub async fn void(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::Operate>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Fields,
) -> Response {
    operate(state, session, headers, id, "void", fields).await
}

/// `POST /admin/checkouts/{id}/refund`.
pub async fn refund(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::Payout>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Fields,
) -> Response {
    operate(state, session, headers, id, "refund", fields).await
}

/// `POST /admin/checkouts/{id}/refund-link`.
pub async fn refund_link(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::Payout>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Fields,
) -> Response {
    operate(state, session, headers, id, "refund-link", fields).await
}

/// `action` (capture, refund, void, refund-link) on a checkout, for a staff member whose role the
/// handler has checked.
async fn operate(
    state: ConsoleState,
    session: StaffSessionRecord,
    headers: HeaderMap,
    id: String,
    action: &str,
    fields: HashMap<String, String>,
) -> Response {
    if let Err(answer) = check_post(&state, &headers, &session, &fields) {
        return *answer;
    }
    if field(&fields, "confirm") != "yes" {
        return show_problem(
            &state,
            &session,
            &id,
            "Tick the confirmation box to go ahead.",
        )
        .await;
    }
    let store = &state.app.store;
    let kind = match action {
        "capture" => OperationKind::Capture,
        "refund" => OperationKind::Refund,
        "void" => OperationKind::Void,
        "refund-link" => {
            let actor = Actor::staff(&session.email);
            return match refund_to_new_card(&state.app, &id, None, None, &actor).await {
                Ok((link, _)) => see_other(&format!("/admin/refund-links/{}", link.id), None),
                Err(error) => {
                    show_problem(&state, &session, &id, &error.to_client_error().message).await
                }
            };
        }
        _ => {
            return page(
                StatusCode::NOT_FOUND,
                "Not found",
                None,
                "<h1>Unknown action</h1>",
            )
        }
    };
    let amount = match kind {
        OperationKind::Void => None,
        _ => match parse_major_units(field(&fields, "amount")) {
            Ok(amount) => Some(amount),
            Err(message) => return show_problem(&state, &session, &id, &message).await,
        },
    };
    // The form's nonce makes a double submission return the first operation, not a second one.
    let key = nonce_key(&fields);
    // Audited with the operation itself (same transaction); a double submit writes nothing twice.
    let actor = Actor::staff(&session.email);
    match perform(
        &state.app,
        &id,
        kind,
        OperationRequest { amount },
        key,
        &actor,
    )
    .await
    {
        Ok(_) => see_other(
            &format!("/admin/checkouts/{id}?done={}", kind.as_str()),
            None,
        ),
        Err(error) => {
            let message = error.to_client_error().message;
            let detail = json!({ "refused": message, "amount": amount });
            if let Err(e) = auth::audit(
                store,
                &session.email,
                &format!("{}.refused", kind.as_str()),
                Some(&id),
                detail,
            )
            .await
            {
                return internal(e);
            }
            show_problem(&state, &session, &id, &message).await
        }
    }
}

pub async fn create_refund_link(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::Payout>,
    headers: HeaderMap,
    Form(fields): Fields,
) -> Response {
    if let Err(answer) = check_post(&state, &headers, &session, &fields) {
        return *answer;
    }
    if field(&fields, "confirm") != "yes" {
        return new_refund_link_page(&session, Some("Tick the confirmation box to go ahead."));
    }
    let amount = match parse_major_units(field(&fields, "amount")) {
        Ok(amount) => amount,
        Err(message) => return new_refund_link_page(&session, Some(&message)),
    };
    let optional = |name: &str| Some(field(&fields, name).to_string()).filter(|v| !v.is_empty());
    let request = NewRefundLink {
        amount,
        currency: field(&fields, "currency").to_string(),
        order_number: optional("orderNumber"),
        reason: optional("reason"),
        checkout_id: optional("checkoutId"),
        ..Default::default()
    };
    // Audited with the link itself (same transaction).
    match create_link(&state.app, request, &Actor::staff(&session.email)).await {
        Ok(Payout::Created(link, _)) => {
            see_other(&format!("/admin/refund-links/{}", link.id), None)
        }
        Ok(Payout::AwaitingApproval(approval)) => {
            see_other(&format!("/admin/approvals#{}", approval.id), None)
        }
        Err(error) => new_refund_link_page(&session, Some(&error.to_client_error().message)),
    }
}

/// `POST /admin/time-zone`: saves the staff member's zone, then back to the dashboard.
pub async fn save_time_zone(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::SignIn>,
    headers: HeaderMap,
    Form(fields): Fields,
) -> Response {
    if let Err(answer) = check_post(&state, &headers, &session, &fields) {
        return *answer;
    }
    let name = field(&fields, "timeZone");
    if StaffTime::named(name).is_none() {
        let body = format!(
            r#"<h1>Unknown time zone</h1><p class="problem" role="alert" data-testid="problem">{} is not a time zone name. Use one like America/Toronto or Europe/Paris.</p><p><a href="/admin">Back to the dashboard</a></p>"#,
            escape(name)
        );
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Time zone",
            signed_in(&session),
            &body,
        );
    }
    match state
        .app
        .store
        .set_staff_time_zone(&session.user_id, name)
        .await
    {
        Ok(()) => Redirect::to("/admin").into_response(),
        Err(error) => internal(error),
    }
}
