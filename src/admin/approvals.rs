//! Four eyes in the console (`/admin/approvals`): payouts not bound to a payment and above the
//! approval threshold wait here; a staff member who may approve — never the one who asked —
//! approves (the payout is then created) or rejects them. Audited by the core.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use paydesk_core::model::ApprovalStatus;
use paydesk_core::payments::{
    approve_payout, list_payout_approvals, reject_payout, Actor, PaymentsError,
    PayoutApprovalResource,
};
use paydesk_core::permissions::Permission;
use paydesk_core::store::StaffSessionRecord;

use super::actions::{check_post, Fields};
use super::console_state::ConsoleState;
use super::html::{escape, money, opt, page};
use super::signed_in::{internal, may, signed_in, Staff};
use super::staff_time::StaffTime;

/// `GET /admin/approvals`: pending requests first, with their decision forms for whoever may
/// decide.
pub async fn list(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::View>,
) -> Response {
    let approvals = match list_payout_approvals(&state.app, 200).await {
        Ok(approvals) => approvals,
        Err(error) => return internal(error),
    };
    let time = StaffTime::of(&session);
    let rows: String = approvals
        .iter()
        .map(|approval| row(approval, &session, &time))
        .collect();
    let html = format!(
        r#"<h1>Payouts waiting for approval</h1>
<p class="muted">Refund links and device refunds not bound to a payment, above the approval threshold, wait here until a second staff member decides. The person who asked cannot decide.</p>
<table data-testid="approvals"><thead><tr><th scope="col">Request</th><th scope="col">Kind</th><th scope="col">Amount</th><th scope="col">Asked by</th><th scope="col">Asked</th><th scope="col">Status</th><th scope="col">Decision</th></tr></thead><tbody>{rows}</tbody></table>"#
    );
    page(StatusCode::OK, "Approvals", signed_in(&session), &html)
}

fn row(
    approval: &PayoutApprovalResource,
    session: &StaffSessionRecord,
    time: &StaffTime,
) -> String {
    let decision = if approval.status == ApprovalStatus::Pending
        && session.role.permits(Permission::Approve)
        && approval.requested_by != session.email
    {
        let form = |action: &str, label: &str| {
            format!(
                r#"<form method="post" action="/admin/approvals/{id}/{action}" class="inline"><input type="hidden" name="csrf" value="{csrf}"><button type="submit" data-testid="{action}-{id}">{label}</button></form>"#,
                id = escape(&approval.id),
                csrf = escape(&session.csrf_token),
            )
        };
        format!("{}{}", form("approve", "Approve"), form("reject", "Reject"))
    } else {
        match &approval.result_id {
            Some(result) => format!(
                "{} by {}: {}",
                approval.status.as_str(),
                opt(&approval.decided_by),
                escape(result)
            ),
            None => format!("{} {}", approval.status.as_str(), opt(&approval.decided_by)),
        }
    };
    format!(
        r#"<tr id="{id}" data-testid="approval-{id}"><td><code>{id}</code></td><td>{kind}</td><td>{amount}</td><td>{by}</td><td>{at}</td><td data-testid="approval-status-{id}">{status}</td><td>{decision}</td></tr>"#,
        id = escape(&approval.id),
        kind = approval.kind.as_str().replace('_', " "),
        amount = money(approval.amount, &approval.currency),
        by = escape(&approval.requested_by),
        at = escape(&time.format_iso(&approval.created_at)),
        status = approval.status.as_str(),
    )
}

/// `POST /admin/approvals/{id}/approve`.
pub async fn approve(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::Approve>,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::Form(fields): Fields,
) -> Response {
    if let Err(answer) = check_post(&state, &headers, &session, &fields) {
        return *answer;
    }
    let decided = approve_payout(&state.app, &id, &Actor::staff(&session.email)).await;
    answer(&session, &id, decided)
}

/// `POST /admin/approvals/{id}/reject`.
pub async fn reject(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::Approve>,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::Form(fields): Fields,
) -> Response {
    if let Err(answer) = check_post(&state, &headers, &session, &fields) {
        return *answer;
    }
    let decided = reject_payout(&state.app, &id, &Actor::staff(&session.email)).await;
    answer(&session, &id, decided)
}

fn answer(
    session: &StaffSessionRecord,
    id: &str,
    decided: Result<PayoutApprovalResource, PaymentsError>,
) -> Response {
    match decided {
        Ok(_) => Redirect::to(&format!("/admin/approvals#{id}")).into_response(),
        Err(PaymentsError::NotFound) => page(
            StatusCode::NOT_FOUND,
            "Not found",
            signed_in(session),
            "<h1>No payout request has this id</h1>",
        ),
        Err(PaymentsError::Refused(refusal)) => page(
            StatusCode::CONFLICT,
            "Not decided",
            signed_in(session),
            &format!(
                r#"<h1>Nothing was decided</h1><p class="problem" role="alert" data-testid="decision-refused">{}</p><p><a href="/admin/approvals">Back to the approvals</a></p>"#,
                escape(&refusal.message)
            ),
        ),
        Err(error) => internal(error),
    }
}
