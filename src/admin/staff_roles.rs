//! `/admin/staff`: administrators see every staff account and change another's role (audited);
//! no one changes their own, so the last administrator cannot lock everyone out by mistake.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use paydesk_core::permissions::Role;
use paydesk_core::store::{iso8601, StaffSessionRecord};
use serde_json::json;

use super::actions::{check_post, field, Fields};
use super::auth::audit_record;
use super::console_state::ConsoleState;
use super::html::{escape, page, problem_notice};
use super::signed_in::{internal, may, signed_in, Staff};

/// `GET /admin/staff`.
pub async fn list(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::Administer>,
) -> Response {
    staff_page(&state, &session, StatusCode::OK, None).await
}

async fn staff_page(
    state: &ConsoleState,
    session: &StaffSessionRecord,
    status: StatusCode,
    problem: Option<&str>,
) -> Response {
    let users = match state.app.store.staff_users().await {
        Ok(users) => users,
        Err(error) => return internal(error),
    };
    let rows: String = users
        .iter()
        .map(|user| {
            let change = if user.id == session.user_id || user.disabled_at.is_some() {
                String::new()
            } else {
                role_form(&user.email, &user.role, &session.csrf_token)
            };
            format!(
                r#"<tr data-testid="staff-row"><td>{}</td><td data-testid="staff-role">{}</td><td>{}</td><td>{}</td><td>{change}</td></tr>"#,
                escape(&user.email),
                escape(user.role.as_str()),
                if user.disabled_at.is_some() { "disabled" } else { "active" },
                escape(&iso8601(user.created_at)),
            )
        })
        .collect();
    let html = format!(
        r#"<h1>Staff</h1>{problem}<p class="muted">Viewers see everything but payout links; operators also capture, void, export and stop payouts; refunders also refund, issue payout links and approve others' payouts; administrators also change roles. Accounts are added and disabled on the server: <code>paydesk staff add</code>.</p>
<table data-testid="staff"><thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">State</th><th scope="col">Created</th><th scope="col">Change role</th></tr></thead><tbody>{rows}</tbody></table>"#,
        problem = problem_notice(problem),
    );
    page(status, "Staff", signed_in(session), &html)
}

/// The form that gives `email` another role.
fn role_form(email: &str, current: &Role, csrf: &str) -> String {
    let options: String = Role::ALL
        .iter()
        .map(|role| {
            let selected = if role == current { " selected" } else { "" };
            format!(r#"<option{selected}>{}</option>"#, role.as_str())
        })
        .collect();
    let id = format!("role-{}", escape(email));
    format!(
        r#"<form method="post" action="/admin/staff/role" class="inline"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="email" value="{email}"><label for="{id}" class="visually-hidden">Role of {email}</label><select id="{id}" name="role" data-testid="staff-role-select">{options}</select> <button type="submit" data-testid="staff-role-submit">Save</button></form>"#,
        csrf = escape(csrf),
        email = escape(email),
    )
}

/// `POST /admin/staff/role`: another staff member's new role, audited with the change.
pub async fn set_role(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::Administer>,
    headers: HeaderMap,
    axum::Form(fields): Fields,
) -> Response {
    if let Err(answer) = check_post(&state, &headers, &session, &fields) {
        return *answer;
    }
    let email = field(&fields, "email").to_ascii_lowercase();
    let problem = |message: &str| {
        let message = message.to_string();
        let state = state.clone();
        let session = session.clone();
        async move {
            staff_page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&message),
            )
            .await
        }
    };
    let Some(role) = Role::parse(field(&fields, "role")) else {
        return problem("Choose viewer, operator, refunder or admin.").await;
    };
    if email == session.email {
        return problem("You cannot change your own role: ask another administrator.").await;
    }
    let audit = audit_record(
        &session.email,
        "staff.role_set",
        Some(&email),
        json!({ "role": role.as_str() }),
    );
    match state.app.store.set_staff_role(&email, &role, &audit).await {
        Ok(true) => Redirect::to("/admin/staff").into_response(),
        Ok(false) => problem("No staff member has that email.").await,
        Err(error) => internal(error),
    }
}
