//! The console's cancel of a payout link — a refund link (`POST /admin/refund-links/{id}/cancel`)
//! or a Commerce Hub refund waiting for a new card (`POST /admin/refunds/{id}/cancel`): confirmed,
//! CSRF-checked, audited by the core; a refusal (paid out, expired, a form still open, a request
//! under way) is said on a page of its own.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use paydesk_core::payments::{cancel_gateway_refund, cancel_refund_link, Actor, PaymentsError};
use paydesk_core::store::StaffSessionRecord;

use super::actions::{check_post, field, Fields};
use super::console_state::ConsoleState;
use super::html::{escape, page};
use super::signed_in::{internal, may, signed_in, Staff};

/// What is canceled, and where its page is.
enum Payout {
    RefundLink,
    CommerceHubRefund,
}

/// `POST /admin/refund-links/{id}/cancel`.
pub async fn refund_link(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::StopPayout>,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::Form(fields): Fields,
) -> Response {
    cancel(state, session, headers, fields, Payout::RefundLink, id).await
}

/// `POST /admin/refunds/{id}/cancel`.
pub async fn commercehub_refund(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::StopPayout>,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::Form(fields): Fields,
) -> Response {
    cancel(
        state,
        session,
        headers,
        fields,
        Payout::CommerceHubRefund,
        id,
    )
    .await
}

async fn cancel(
    state: ConsoleState,
    session: StaffSessionRecord,
    headers: HeaderMap,
    fields: HashMap<String, String>,
    payout: Payout,
    id: String,
) -> Response {
    if let Err(answer) = check_post(&state, &headers, &session, &fields) {
        return *answer;
    }
    let back = match payout {
        Payout::RefundLink => format!("/admin/refund-links/{id}"),
        Payout::CommerceHubRefund => format!("/admin/refunds/{id}"),
    };
    if field(&fields, "confirm") != "yes" {
        return refused(&session, &back, "Tick the box to confirm the cancel.");
    }
    let actor = Actor::staff(&session.email);
    let canceled = match payout {
        Payout::RefundLink => cancel_refund_link(&state.app, &id, &actor).await.map(drop),
        Payout::CommerceHubRefund => cancel_gateway_refund(&state.app, &id, &actor)
            .await
            .map(drop),
    };
    match canceled {
        Ok(()) => Redirect::to(&back).into_response(),
        Err(PaymentsError::NotFound) => page(
            StatusCode::NOT_FOUND,
            "Not found",
            signed_in(&session),
            "<h1>Nothing has this id</h1>",
        ),
        Err(PaymentsError::Refused(refusal)) => refused(&session, &back, &refusal.message),
        Err(error) => internal(error),
    }
}

fn refused(session: &StaffSessionRecord, back: &str, message: &str) -> Response {
    page(
        StatusCode::CONFLICT,
        "Not canceled",
        signed_in(session),
        &format!(
            r#"<h1>The link was not canceled</h1><p class="problem" role="alert" data-testid="cancel-refused">{}</p><p><a href="{}">Back</a></p>"#,
            escape(message),
            escape(back)
        ),
    )
}
