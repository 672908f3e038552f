//! The console's cancel of a refund link (`POST /admin/refund-links/{id}/cancel`): confirmed,
//! CSRF-checked, audited by the core; a refusal (paid out, expired, a form still open) is said on
//! a page of its own.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use paydesk_core::payments::{cancel_refund_link, Actor, PaymentsError};

use super::actions::{check_post, field, Fields};
use super::console_state::ConsoleState;
use super::html::{escape, page};
use super::signed_in::{internal, may, signed_in, Staff};

/// `POST /admin/refund-links/{id}/cancel`.
pub async fn refund_link(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::StopPayout>,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::Form(fields): Fields,
) -> Response {
    if let Err(answer) = check_post(&state, &headers, &session, &fields) {
        return *answer;
    }
    let back = format!("/admin/refund-links/{id}");
    if field(&fields, "confirm") != "yes" {
        return refused(&session, &back, "Tick the box to confirm the cancel.");
    }
    match cancel_refund_link(&state.app, &id, &Actor::staff(&session.email)).await {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(PaymentsError::NotFound) => page(
            StatusCode::NOT_FOUND,
            "Not found",
            signed_in(&session),
            "<h1>No refund link has this id</h1>",
        ),
        Err(PaymentsError::Refused(refusal)) => refused(&session, &back, &refusal.message),
        Err(error) => internal(error),
    }
}

fn refused(
    session: &paydesk_core::store::StaffSessionRecord,
    back: &str,
    message: &str,
) -> Response {
    page(
        StatusCode::CONFLICT,
        "Not canceled",
        signed_in(session),
        &format!(
            r#"<h1>The refund link was not canceled</h1><p class="problem" role="alert" data-testid="cancel-refused">{}</p><p><a href="{}">Back to the refund link</a></p>"#,
            escape(message),
            escape(back)
        ),
    )
}
