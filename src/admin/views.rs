//! The console's pages (GET): lists, a payment with its ledger and actions, refund links, events
//! and the audit log.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use paydesk_core::model::{LinkKind, OperationKind, OperationState};
use paydesk_core::payments::{
    get_checkout, get_refund_link, CheckoutResource, Ledger, RefundLinkResource,
};
use paydesk_core::permissions::Permission;
use paydesk_core::store::{LinkFilter, StaffSessionRecord};

use super::console_state::ConsoleState;
use super::html::{
    cancel_form, escape, locked_notice, money, opt, page, payout_url_row, problem_notice,
    search_form,
};
use super::signed_in::{internal, may, signed_in, Staff};
use super::staff_time::StaffTime;
use super::support_search;

pub fn login_page(status: StatusCode, problem: Option<&str>) -> Response {
    let problem = problem
        .map(|p| {
            format!(
                r#"<p class="problem" role="alert" data-testid="login-problem">{}</p>"#,
                escape(p)
            )
        })
        .unwrap_or_default();
    let body = format!(
        r#"<h1>Sign in</h1>{problem}
<form method="post" action="/admin/login">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<label for="code">One-time code <span class="muted">(if your account has one)</span></label><input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="8" data-testid="login-code">
<div><button type="submit" data-testid="login-submit">Sign in</button></div></form>
<p class="muted">Staff accounts are created on the server: <code>paydesk staff add --email you@example.com --role admin</code>.</p>"#
    );
    page(status, "Sign in", None, &body)
}

pub async fn login_form() -> Response {
    login_page(StatusCode::OK, None)
}

fn action_form(
    id: &str,
    csrf: &str,
    action: &str,
    button: &str,
    confirm: &str,
    amount: Option<String>,
) -> String {
    let amount_field = amount
        .map(|placeholder| {
            format!(
                r#"<label for="{action}-amount">Amount (dollars.cents)</label><input id="{action}-amount" name="amount" type="text" inputmode="decimal" required placeholder="{placeholder}" data-testid="{action}-amount">"#
            )
        })
        .unwrap_or_default();
    format!(
        r#"<form method="post" action="/admin/checkouts/{id}/{action}"><fieldset><legend>{button}</legend>
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="nonce" value="{nonce}">{amount_field}
<div class="check"><input id="{action}-confirm" name="confirm" type="checkbox" value="yes" required data-testid="{action}-confirm"> <label for="{action}-confirm">{confirm}</label></div>
<button type="submit" data-testid="{action}-submit">{button}</button></fieldset></form>"#,
        id = escape(id),
        csrf = escape(csrf),
        confirm = escape(confirm),
        nonce = ulid::Ulid::new(),
    )
}

/// A payment: summary, ledger, operations, transactions, refund links and the actions it allows.
pub fn checkout_view(
    session: &StaffSessionRecord,
    c: &CheckoutResource,
    notice: Option<&str>,
    problem: Option<&str>,
) -> Response {
    let time = StaffTime::of(session);
    let mut html = checkout_summary(c, &time, notice, problem);
    let may = |permission| session.role.permits(permission);
    if c.locked && may(Permission::Operate) {
        let action = format!("/admin/checkouts/{}/unlock", c.id);
        html.push_str(&locked_notice(&action, &session.csrf_token));
    }
    if let Some(l) = &c.ledger {
        html.push_str(&ledger_table(c, l, may(Permission::Payout)));
        html.push_str(&checkout_actions(c, l, session));
    }
    html.push_str(&operations_table(c, &time));
    html.push_str(&transactions_table(c));
    html.push_str(&refund_links_table(c));
    page(
        if problem.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        "Payment",
        signed_in(session),
        &html,
    )
}

/// The payment's heading, notices and summary table.
fn checkout_summary(
    c: &CheckoutResource,
    time: &StaffTime,
    notice: Option<&str>,
    problem: Option<&str>,
) -> String {
    let m = |minor: i64| money(minor, &c.currency);
    format!(
        r#"<h1>Payment {id}</h1>{notice}{problem}
<table data-testid="summary"><tbody><tr><th scope="row">Status</th><td data-testid="payment-status">{status}</td></tr>
<tr><th scope="row">Amount</th><td>{amount}</td></tr><tr><th scope="row">Order</th><td>{order}</td></tr>
<tr><th scope="row">Reference</th><td>{reference}</td></tr><tr><th scope="row">Support reference</th><td data-testid="support-reference">{support}</td></tr>
<tr><th scope="row">Created</th><td>{created}</td></tr>
<tr><th scope="row">Customer link</th><td><code>{url}</code></td></tr></tbody></table>"#,
        id = escape(&c.id),
        notice = notice
            .map(|n| format!(
                r#"<p class="notice" role="status" data-testid="notice">{}</p>"#,
                escape(n)
            ))
            .unwrap_or_default(),
        problem = problem_notice(problem),
        status = c.status,
        amount = m(c.amount),
        order = opt(&c.order_number),
        reference = opt(&c.reference_id),
        support = escape(&c.support_reference),
        created = escape(&time.format_iso(&c.created_at)),
        url = escape(&c.url),
    )
}

/// Where the payment's money stands, and a warning when more was refunded than it holds.
fn ledger_table(c: &CheckoutResource, l: &Ledger, may_pay_out: bool) -> String {
    let m = |minor: i64| money(minor, &c.currency);
    let mut html = String::new();
    html.push_str(&format!(
        r#"<h2>Ledger</h2><table data-testid="ledger"><tbody>
<tr><th scope="row">Authorized</th><td>{}</td></tr><tr><th scope="row">Captured</th><td>{}</td></tr>
<tr><th scope="row">Voided</th><td>{}</td></tr><tr><th scope="row">Refunded</th><td data-testid="ledger-refunded">{}</td></tr>
<tr><th scope="row">… to other cards</th><td>{}</td></tr><tr><th scope="row">… on devices in store</th><td data-testid="ledger-on-devices">{}</td></tr><tr><th scope="row">Pending</th><td>{}</td></tr>
<tr><th scope="row">Capturable</th><td>{}</td></tr><tr><th scope="row">Refundable</th><td data-testid="ledger-refundable">{}</td></tr>
<tr><th scope="row">Remaining</th><td>{}</td></tr></tbody></table>"#,
        m(l.authorized), m(l.captured), m(l.voided), m(l.refunded), m(l.refunded_to_other_cards), m(l.refunded_on_devices), m(l.pending),
        m(l.capturable), m(l.refundable), m(l.remaining)
    ));
    if may_pay_out {
        html.push_str(&format!(
            r#"<p><a href="/admin/device-refunds/new?checkout={}" data-testid="refund-on-terminal">Refund on a terminal</a></p>"#,
            escape(&c.id)
        ));
    }
    if l.over_refunded > 0 {
        html.push_str(&format!(
            r#"<p class="problem" role="alert" data-testid="over-refunded">{} more was refunded than this payment holds (a refund link paid out twice). Check the reconciliation report and recover it from the customer.</p>"#,
            m(l.over_refunded)
        ));
    }
    html
}

/// The forms of what the ledger allows now and the staff member's role permits: capture, refund,
/// void, a refund to another card.
fn checkout_actions(c: &CheckoutResource, l: &Ledger, session: &StaffSessionRecord) -> String {
    let csrf = session.csrf_token.as_str();
    let operate = session.role.permits(Permission::Operate);
    let pay_out = session.role.permits(Permission::Payout);
    let mut html = String::new();
    let order = c.order_number.clone().unwrap_or_else(|| c.id.clone());
    if operate && l.capturable > 0 {
        html.push_str(&action_form(
            &c.id,
            csrf,
            "capture",
            "Capture",
            &format!("I confirm capturing this amount for order {order}."),
            Some(format!("{:.2}", l.capturable as f64 / 100.0)),
        ));
    }
    if pay_out && l.refundable > 0 {
        html.push_str(&action_form(
            &c.id,
            csrf,
            "refund",
            "Refund",
            &format!("I confirm refunding this amount to the customer's card for order {order}."),
            Some(format!("up to {:.2}", l.refundable as f64 / 100.0)),
        ));
    }
    let voidable =
        l.voided == 0 && l.refunded == 0 && l.pending == 0 && (l.capturable > 0 || l.captured > 0);
    if operate && voidable {
        html.push_str(&action_form(
            &c.id,
            csrf,
            "void",
            "Void",
            &format!("I confirm voiding order {order} (it cancels the whole remaining amount)."),
            None,
        ));
    }
    let last_refund_declined = c
        .operations
        .iter()
        .rev()
        .find(|o| o.kind == OperationKind::Refund)
        .is_some_and(|o| o.status == OperationState::Declined);
    if pay_out && last_refund_declined && l.refundable > 0 {
        html.push_str(&action_form(
            &c.id,
            csrf,
            "refund-link",
            "Refund to a different card",
            "I confirm sending the customer a refund link for the refundable remainder.",
            None,
        ));
    }
    html
}

fn operations_table(c: &CheckoutResource, time: &StaffTime) -> String {
    let m = |minor: i64| money(minor, &c.currency);
    let ops: String = c
        .operations
        .iter()
        .map(|o| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&time.format_iso(&o.created_at)),
                o.kind,
                o.status,
                m(o.amount),
                opt(&o.transaction_id),
                opt(&o.message)
            )
        })
        .collect();
    format!(
        r#"<h2>Operations</h2><table data-testid="operations"><thead><tr><th scope="col">When</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Amount</th><th scope="col">Transaction</th><th scope="col">Message</th></tr></thead><tbody>{ops}</tbody></table>"#
    )
}

fn transactions_table(c: &CheckoutResource) -> String {
    let m = |minor: i64| money(minor, &c.currency);
    let txs: String = c
        .transactions
        .iter()
        .map(|t| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&t.id),
                escape(&t.kind),
                escape(&t.status),
                t.response_code
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "—".into()),
                t.approved_amount.map(m).unwrap_or_else(|| "—".into()),
                opt(&t.masked_card_number)
            )
        })
        .collect();
    format!(
        r#"<h2>Gateway transactions</h2><table data-testid="transactions"><thead><tr><th scope="col">Id</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Response</th><th scope="col">Approved</th><th scope="col">Card</th></tr></thead><tbody>{txs}</tbody></table>"#
    )
}

fn refund_links_table(c: &CheckoutResource) -> String {
    let m = |minor: i64| money(minor, &c.currency);
    let links: String = c
        .refund_links
        .iter()
        .map(|r| format!(r#"<tr><td><a href="/admin/refund-links/{id}">{id}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>"#, escape(&r.status), m(r.amount), opt(&r.card), id = escape(&r.id)))
        .collect();
    if links.is_empty() {
        return String::new();
    }
    format!(
        r#"<h2>Refund links</h2><table><thead><tr><th scope="col">Link</th><th scope="col">Status</th><th scope="col">Amount</th><th scope="col">Card</th></tr></thead><tbody>{links}</tbody></table>"#
    )
}

pub async fn checkout(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::View>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let notice = params.get("done").and_then(|done| match done.as_str() {
        "capture" => Some("Capture recorded."),
        "refund" => Some("Refund recorded."),
        "void" => Some("Void recorded."),
        "refund-link" => Some("Refund link created; send it to the customer."),
        _ => None,
    });
    match get_checkout(&state.app, &id).await {
        Ok(c) => checkout_view(&session, &c, notice, None),
        Err(_) => page(
            StatusCode::NOT_FOUND,
            "Not found",
            signed_in(&session),
            "<h1>No payment has this id</h1>",
        ),
    }
}

pub async fn refund_links(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::View>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let time = StaffTime::of(&session);
    let query = params.get("q").map(|q| q.trim()).filter(|q| !q.is_empty());
    if let Some(reference) = support_search::reference_in(query) {
        return support_search::find(&state, &session, &reference).await;
    }
    let filter = LinkFilter {
        query: query.map(str::to_string),
        ..LinkFilter::default()
    };
    let rows = match state
        .app
        .store
        .filter_links(LinkKind::Refund, &filter, 100, 0)
        .await
    {
        Ok(rows) => rows,
        Err(e) => return internal(e),
    };
    let body: String = rows
        .iter()
        .map(|l| {
            format!(
                r#"<tr><td><a href="/admin/refund-links/{id}">{id}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
                escape(&time.format(l.created_at)), opt(&l.order_number), money(l.amount, &l.currency), l.status, opt(&l.refund_of_checkout_id),
                id = escape(&l.id)
            )
        })
        .collect();
    let html = format!(
        r#"<h1>Refund links</h1>{search}<table data-testid="refund-links"><thead><tr><th scope="col">Link</th><th scope="col">Created</th><th scope="col">Order</th><th scope="col">Amount</th><th scope="col">Status</th><th scope="col">Payment</th></tr></thead><tbody>{body}</tbody></table>"#,
        search = search_form("/admin/refund-links", query.unwrap_or_default())
    );
    page(StatusCode::OK, "Refund links", signed_in(&session), &html)
}

pub async fn refund_link(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::View>,
    Path(id): Path<String>,
) -> Response {
    let time = StaffTime::of(&session);
    let Ok(link) = get_refund_link(&state.app, &id).await else {
        return page(
            StatusCode::NOT_FOUND,
            "Not found",
            signed_in(&session),
            "<h1>No refund link has this id</h1>",
        );
    };
    let overpaid = if link.payouts > 1 {
        format!(
            r#"<p class="problem" role="alert" data-testid="refund-link-overpaid">This link paid out {} times: the customer received more than its amount.</p>"#,
            link.payouts
        )
    } else {
        String::new()
    };
    let may = |permission| session.role.permits(permission);
    let locked = if link.locked && may(Permission::Payout) {
        let action = format!("/admin/refund-links/{}/unlock", link.id);
        locked_notice(&action, &session.csrf_token)
    } else {
        String::new()
    };
    let cancel = if may(Permission::StopPayout) {
        cancel_notice(&link, &session.csrf_token, &time)
    } else {
        String::new()
    };
    let html = format!(
        r#"<h1>Refund link {id}</h1>{overpaid}{locked}{cancel}<table data-testid="refund-link"><tbody>
<tr><th scope="row">Status</th><td data-testid="refund-link-status">{status}</td></tr><tr><th scope="row">Amount</th><td>{amount}</td></tr>
<tr><th scope="row">Order</th><td>{order}</td></tr><tr><th scope="row">Reason</th><td>{reason}</td></tr>
<tr><th scope="row">Payment</th><td>{checkout}</td></tr><tr><th scope="row">Expires</th><td>{expires}</td></tr>
<tr><th scope="row">Support reference</th><td data-testid="support-reference">{support}</td></tr>
{url}</tbody></table>
<p class="muted">Send the link to the customer only: it pays out once, to the card they enter.</p>"#,
        id = escape(&link.id),
        status = escape(&link.status),
        amount = money(link.amount, &link.currency),
        order = opt(&link.order_number),
        reason = opt(&link.reason),
        support = escape(&link.support_reference),
        checkout = link
            .checkout_id
            .as_deref()
            .map(|c| format!(r#"<a href="/admin/checkouts/{0}">{0}</a>"#, escape(c)))
            .unwrap_or_else(|| "—".into()),
        expires = escape(&time.format_iso(&link.expires_at)),
        url = payout_url_row(
            link.url
                .as_deref()
                .filter(|_| may(Permission::SeePayoutLinks)),
            "refund-link-url"
        ),
    );
    page(StatusCode::OK, "Refund link", signed_in(&session), &html)
}

/// The cancel form of a refund link that may still pay out, or the notice of a cancel waiting for
/// the link's open form to be proven unused.
fn cancel_notice(link: &RefundLinkResource, csrf: &str, time: &StaffTime) -> String {
    if !matches!(
        link.status.as_str(),
        "open" | "declined" | "failed" | "processing"
    ) {
        return String::new();
    }
    let pending = link
        .canceled_at
        .as_deref()
        .map(|at| {
            format!(
                r#"<p class="problem" role="status" data-testid="cancel-pending">Canceled at {}: no new card form opens. A form opened before may still be finished; the link ends once it is proven unused.</p>"#,
                escape(&time.format_iso(at))
            )
        })
        .unwrap_or_default();
    let action = format!("/admin/refund-links/{}/cancel", link.id);
    format!("{pending}{}", cancel_form(&action, csrf))
}

pub fn new_refund_link_page(session: &StaffSessionRecord, problem: Option<&str>) -> Response {
    let html = format!(
        r#"<h1>New refund link</h1>{problem}
<form method="post" action="/admin/refund-links/new"><fieldset><legend>Refund details</legend><input type="hidden" name="csrf" value="{csrf}">
<label for="amount">Amount (dollars.cents)</label><input id="amount" name="amount" type="text" inputmode="decimal" required data-testid="new-link-amount">
<label for="currency">Currency</label><select id="currency" name="currency"><option>USD</option><option>CAD</option></select>
<label for="order">Order number (optional)</label><input id="order" name="orderNumber" type="text">
<label for="reason">Reason shown to the customer</label><input id="reason" name="reason" type="text" required data-testid="new-link-reason">
<label for="checkout">Payment it refunds (optional checkout id)</label><input id="checkout" name="checkoutId" type="text">
<div class="check"><input id="confirm" name="confirm" type="checkbox" value="yes" required data-testid="new-link-confirm"> <label for="confirm">I confirm issuing a refund link for this amount.</label></div>
<button type="submit" data-testid="new-link-submit">Create refund link</button></fieldset></form>"#,
        problem = problem_notice(problem),
        csrf = escape(&session.csrf_token),
    );
    page(
        if problem.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        "New refund link",
        signed_in(session),
        &html,
    )
}

pub async fn new_refund_link(Staff(session, _): Staff<may::Payout>) -> Response {
    new_refund_link_page(&session, None)
}

pub async fn events(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::View>,
) -> Response {
    let time = StaffTime::of(&session);
    let (gateway, merchant) = match (
        state.app.store.recent_webhook_events(100).await,
        state.app.store.merchant_events(None, 100).await,
    ) {
        (Ok(g), Ok(m)) => (g, m),
        (Err(e), _) | (_, Err(e)) => return internal(e),
    };
    let gateway_rows: String = gateway
        .iter()
        .map(|e| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&e.event_id),
                escape(&e.event_type),
                escape(&time.format(e.received_at)),
                opt(&e.outcome)
            )
        })
        .collect();
    let merchant_rows: String = merchant
        .iter()
        .map(|e| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&e.id),
                escape(&e.event_type),
                escape(&e.status),
                e.attempts,
                opt(&e.last_error)
            )
        })
        .collect();
    let html = format!(
        r#"<h1>Webhook events</h1><h2>From the gateway</h2><table data-testid="gateway-events"><thead><tr><th scope="col">Event</th><th scope="col">Type</th><th scope="col">Received</th><th scope="col">Outcome</th></tr></thead><tbody>{gateway_rows}</tbody></table>
<h2>To your backend</h2><table data-testid="merchant-events"><thead><tr><th scope="col">Event</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last error</th></tr></thead><tbody>{merchant_rows}</tbody></table>"#
    );
    page(StatusCode::OK, "Webhook events", signed_in(&session), &html)
}

/// Entries on one page of the audit log.
const AUDIT_PAGE: i64 = 100;

/// `GET /admin/audit?before=<time>.<id>`: the log newest first, a page at a time.
pub async fn audit(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::View>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let time = StaffTime::of(&session);
    let before = query.get("before").and_then(|cursor| {
        let (at, id) = cursor.split_once('.')?;
        Some((at.parse::<i64>().ok()?, id))
    });
    let entries = match state.app.store.audit_log_before(AUDIT_PAGE, before).await {
        Ok(entries) => entries,
        Err(e) => return internal(e),
    };
    let older = match entries.last() {
        Some(last) if entries.len() as i64 == AUDIT_PAGE => format!(
            r#"<p><a href="/admin/audit?before={}.{}" data-testid="audit-older">Older entries</a></p>"#,
            last.at,
            escape(&last.id)
        ),
        _ => String::new(),
    };
    let rows: String = entries
        .iter()
        .map(|a| {
            format!(
                r#"<tr data-testid="audit-entry" data-action="{action}"><td>{}</td><td>{}</td><td>{action}</td><td>{}</td><td><code>{}</code></td></tr>"#,
                escape(&time.format(a.at)), escape(&a.actor), opt(&a.subject), opt(&a.detail), action = escape(&a.action)
            )
        })
        .collect();
    let html = format!(
        r#"<h1>Audit log</h1><table data-testid="audit-log"><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Subject</th><th scope="col">Detail</th></tr></thead><tbody>{rows}</tbody></table>{older}"#
    );
    page(StatusCode::OK, "Audit log", signed_in(&session), &html)
}
