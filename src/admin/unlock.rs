//! Locks against card testing in the console: the staff member's unlock of a checkout, refund link
//! or Commerce Hub refund (CSRF-checked, audited by the core); the notice is `html::locked_notice`.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use paydesk_core::model::LinkKind;
use paydesk_core::payments::{unlock_gateway_refund, unlock_link, Actor, PaymentsError};

use super::actions::{check_post, Fields};
use super::console_state::ConsoleState;
use super::html::page;
use super::signed_in::{internal, may, Staff};
use paydesk_core::store::StaffSessionRecord;

/// What was unlocked, and where its page is.
enum Locked {
    Link(LinkKind),
    CommerceHubRefund,
}

impl Locked {
    fn page_of(&self, id: &str) -> String {
        match self {
            Locked::Link(LinkKind::Payment) => format!("/admin/checkouts/{id}"),
            Locked::Link(LinkKind::Refund) => format!("/admin/refund-links/{id}"),
            Locked::CommerceHubRefund => format!("/admin/refunds/{id}"),
        }
    }
}

async fn unlock(
    state: ConsoleState,
    session: StaffSessionRecord,
    headers: HeaderMap,
    fields: HashMap<String, String>,
    locked: Locked,
    id: String,
) -> Response {
    if let Err(answer) = check_post(&state, &headers, &session, &fields) {
        return *answer;
    }
    let actor = Actor::staff(&session.email);
    let unlocked = match &locked {
        Locked::Link(kind) => unlock_link(&state.app, &id, *kind, &actor).await,
        Locked::CommerceHubRefund => unlock_gateway_refund(&state.app, &id, &actor).await,
    };
    match unlocked {
        // Unlocked now, or by someone else before: either way the page shows it.
        Ok(_) => Redirect::to(&locked.page_of(&id)).into_response(),
        Err(PaymentsError::NotFound) => page(
            StatusCode::NOT_FOUND,
            "Not found",
            None,
            "<h1>Nothing has this id</h1>",
        ),
        Err(error) => internal(error),
    }
}

/// `POST /admin/checkouts/{id}/unlock`.
pub async fn checkout(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::Operate>,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::Form(fields): Fields,
) -> Response {
    unlock(
        state,
        session,
        headers,
        fields,
        Locked::Link(LinkKind::Payment),
        id,
    )
    .await
}

/// `POST /admin/refund-links/{id}/unlock`.
pub async fn refund_link(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::Payout>,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::Form(fields): Fields,
) -> Response {
    unlock(
        state,
        session,
        headers,
        fields,
        Locked::Link(LinkKind::Refund),
        id,
    )
    .await
}

/// `POST /admin/refunds/{id}/unlock`.
pub async fn commercehub_refund(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::Payout>,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::Form(fields): Fields,
) -> Response {
    unlock(
        state,
        session,
        headers,
        fields,
        Locked::CommerceHubRefund,
        id,
    )
    .await
}
