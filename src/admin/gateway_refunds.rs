//! The console's pages of refunds of Commerce Hub charges: the list (searchable), and one refund
//! with its customer link while it waits for a new card and its calls to Commerce Hub.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use paydesk_core::model::{GatewayRefundStatus, RefundAttemptKind};
use paydesk_core::payments::{
    gateway_refund_attempts, get_gateway_refund, search_gateway_refunds, PaymentsError,
};
use paydesk_core::permissions::Permission;

use super::console_state::ConsoleState;
use super::html::{cancel_form, escape, locked_notice, money, opt, page, payout_url_row};
use super::signed_in::{internal, may, signed_in, Staff};
use super::staff_time::StaffTime;

/// `GET /admin/refunds?q=…`.
pub async fn list(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::View>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let time = StaffTime::of(&session);
    let query = params.get("q").map(|q| q.trim()).filter(|q| !q.is_empty());
    if let Some(reference) = super::support_search::reference_in(query) {
        return super::support_search::find(&state, &session, &reference).await;
    }
    let refunds = match search_gateway_refunds(&state.app, query, 100).await {
        Ok(refunds) => refunds,
        Err(e) => return internal(e),
    };
    let rows: String = refunds
        .iter()
        .map(|r| {
            format!(
                r#"<tr><td><a href="/admin/refunds/{id}" data-testid="gateway-refund-link">{id}</a></td><td>{created}</td><td>{order}</td><td>{amount}</td><td>{status}</td><td>{original}</td></tr>"#,
                id = escape(&r.id),
                created = escape(&time.format_iso(&r.created_at)),
                order = opt(&r.order_number),
                amount = money(r.amount, &r.currency),
                status = r.status,
                original = opt(
                    &r.original_transaction_id
                        .clone()
                        .or_else(|| r.original_merchant_transaction_id.clone())
                ),
            )
        })
        .collect();
    let html = format!(
        r#"<h1>Commerce Hub refunds</h1>
<form method="get" action="/admin/refunds" role="search"><label for="q">Search by id, order, original transaction, reference or the customer's support reference (PD-…)</label>
<input id="q" name="q" type="search" value="{q}" data-testid="search"> <button type="submit">Search</button></form>
<table data-testid="gateway-refunds"><thead><tr><th scope="col">Refund</th><th scope="col">Created</th><th scope="col">Order</th><th scope="col">Amount</th><th scope="col">Status</th><th scope="col">Original charge</th></tr></thead><tbody>{rows}</tbody></table>"#,
        q = escape(query.unwrap_or_default()),
    );
    page(
        StatusCode::OK,
        "Commerce Hub refunds",
        signed_in(&session),
        &html,
    )
}

/// `GET /admin/refunds/{id}`: settled first (an unknown answer due is looked up), like the API.
pub async fn show(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::View>,
    Path(id): Path<String>,
) -> Response {
    let time = StaffTime::of(&session);
    let refund = match get_gateway_refund(&state.app, &id).await {
        Ok(refund) => refund,
        Err(PaymentsError::NotFound) => {
            return page(
                StatusCode::NOT_FOUND,
                "Not found",
                signed_in(&session),
                "<h1>No refund has this id</h1>",
            )
        }
        Err(e) => return internal(e),
    };
    let attempts = match gateway_refund_attempts(&state.app, &id).await {
        Ok(attempts) => attempts,
        Err(e) => return internal(e),
    };
    let calls: String = attempts
        .iter()
        .map(|a| {
            format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&a.client_request_id),
                a.kind,
                a.state,
                escape(&time.format_iso(&a.first_sent_at)),
                opt(&a.api_trace_id)
            )
        })
        .collect();
    let may = |permission| session.role.permits(permission);
    let link = match (&refund.url, refund.status) {
        (Some(url), GatewayRefundStatus::AwaitingCard) => payout_url_row(
            Some(url.as_str()).filter(|_| may(Permission::SeePayoutLinks)),
            "gateway-refund-url",
        ),
        _ => String::new(),
    };
    let locked = if refund.locked && may(Permission::Payout) {
        let action = format!("/admin/refunds/{}/unlock", refund.id);
        locked_notice(&action, &session.csrf_token)
    } else {
        String::new()
    };
    let cancel =
        if refund.status == GatewayRefundStatus::AwaitingCard && may(Permission::StopPayout) {
            cancel_form(
                &format!("/admin/refunds/{}/cancel", refund.id),
                &session.csrf_token,
            )
        } else {
            String::new()
        };
    let html = format!(
        r#"<h1>Refund {id}</h1>{locked}{cancel}<table data-testid="gateway-refund"><tbody>
<tr><th scope="row">Status</th><td data-testid="gateway-refund-status">{status}</td></tr>
<tr><th scope="row">Amount</th><td>{amount}</td></tr>
<tr><th scope="row">Original charge</th><td>{original}</td></tr>
<tr><th scope="row">Order</th><td>{order}</td></tr><tr><th scope="row">Reason</th><td>{reason}</td></tr>
<tr><th scope="row">Support reference</th><td data-testid="support-reference">{support}</td></tr>
<tr><th scope="row">Original card's decline</th><td>{decline}</td></tr>
<tr><th scope="row">Paid to</th><td data-testid="gateway-refund-card">{card}</td></tr>
<tr><th scope="row">Refunded by</th><td data-testid="gateway-refund-refunded-by">{refunded_by}</td></tr>
<tr><th scope="row">Commerce Hub transaction</th><td>{transaction}</td></tr>
<tr><th scope="row">New cards declined</th><td>{declines}</td></tr>
<tr><th scope="row">Message</th><td>{message}</td></tr>
<tr><th scope="row">New-card link expires</th><td>{expires}</td></tr>{link}</tbody></table>
<p class="muted">Send the customer link to the customer only: the refund goes once, to the card they enter.</p>
<h2>Calls to Commerce Hub</h2>
<table data-testid="gateway-refund-calls"><thead><tr><th scope="col">Client-Request-Id</th><th scope="col">Card</th><th scope="col">State</th><th scope="col">First sent</th><th scope="col">apiTraceId</th></tr></thead><tbody>{calls}</tbody></table>"#,
        id = escape(&refund.id),
        status = refund.status,
        amount = money(refund.amount, &refund.currency),
        original = opt(&refund
            .original_transaction_id
            .clone()
            .or_else(|| refund.original_merchant_transaction_id.clone())),
        order = opt(&refund.order_number),
        reason = opt(&refund.reason),
        support = escape(&refund.support_reference),
        decline = opt(&refund.decline_code),
        card = opt(&refund.card),
        refunded_by = match refund.refunded_by {
            Some(RefundAttemptKind::Tagged) => "a refund to the original card",
            Some(RefundAttemptKind::Unmatched) => "a refund to the customer's new card",
            Some(RefundAttemptKind::Cancel) =>
                "a cancel: the charge was authorized and not captured, its authorization was released",
            None => "—",
        },
        transaction = opt(&refund.gateway_transaction_id),
        declines = refund.card_declines,
        message = opt(&refund.message),
        expires = escape(&time.format_iso(&refund.link_expires_at)),
    );
    page(StatusCode::OK, "Refund", signed_in(&session), &html)
}
