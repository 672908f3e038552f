//! "Refund on a terminal": staff pick a payment device, an amount, an order and a description,
//! confirm, then watch the refund's status update by itself (a small script long-polls its JSON;
//! without scripts the page refreshes), announced to screen readers, with Cancel while the device
//! still waits for a card. Every action is CSRF-checked and audited with the refund itself.

use std::time::Duration;

use app::server::security_headers::CONSOLE_LIVE_POLICY;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use paydesk_core::model::{DeviceEntryMethod, DeviceRefundReversal, DeviceRefundStatus};
use paydesk_core::payments::{
    cancel_device_refund, create_device_refund, get_device_refund, list_devices,
    reverse_device_refund, wait_for_device_refund, Actor, DeviceRefundResource, NewDeviceRefund,
    PaymentsError, Payout,
};
use paydesk_core::store::StaffSessionRecord;
use serde::Deserialize;
use serde_json::json;

use super::actions::{check_post, field, nonce_key, Fields};
use super::console_state::ConsoleState;
use super::html::{escape, money, page, parse_major_units, problem_notice};
use super::signed_in::{may, require, signed_in, Staff};
use paydesk_core::permissions::Permission;

pub const SCRIPT: &str = include_str!("terminal.js");

/// What the status says, for a person.
fn label(refund: &DeviceRefundResource) -> String {
    let amount = money(refund.amount, &refund.currency);
    match refund.status {
        DeviceRefundStatus::Sending => format!(
            "Sending the refund of {amount} to terminal {}…",
            refund.device
        ),
        DeviceRefundStatus::WaitingForCard => {
            format!("Waiting for the card on terminal {}…", refund.device)
        }
        DeviceRefundStatus::Completed => format!(
            "Approved: {} refunded{}.",
            money(
                refund.approved_amount.unwrap_or(refund.amount),
                &refund.currency
            ),
            refund
                .card
                .as_deref()
                .map(|c| format!(" to {c}"))
                .unwrap_or_default()
        ),
        DeviceRefundStatus::Declined => format!(
            "Declined: {}",
            refund
                .message
                .as_deref()
                .unwrap_or("the card refused the refund.")
        ),
        DeviceRefundStatus::Failed => format!(
            "Failed: {}",
            refund
                .message
                .as_deref()
                .unwrap_or("the device could not do the refund.")
        ),
        DeviceRefundStatus::Canceled => "Canceled: no money moved.".into(),
        DeviceRefundStatus::Unknown => "Checking with Payroc…".into(),
        DeviceRefundStatus::Reversed => format!(
            "Reversed: the refund of {amount} was taken out of Payroc's batch; no money went to the card."
        ),
    }
}

/// What became of a reversal asked for, if any.
fn reversal_label(refund: &DeviceRefundResource) -> Option<String> {
    let reversal = refund.reversal.as_ref()?;
    match reversal.status {
        DeviceRefundReversal::Reversing => {
            Some("Reversal asked for: waiting for Payroc's answer (the refund counts as paid meanwhile)…".into())
        }
        DeviceRefundReversal::Refused => Some(format!(
            "Reversal refused: {}",
            reversal.message.as_deref().unwrap_or("Payroc did not reverse the refund; it stands.")
        )),
        DeviceRefundReversal::Reversed => None,
    }
}

fn can_cancel(refund: &DeviceRefundResource) -> bool {
    matches!(refund.status, DeviceRefundStatus::WaitingForCard)
}

/// A completed refund can be reversed, unless a reversal is under way.
fn can_reverse(refund: &DeviceRefundResource) -> bool {
    refund.status == DeviceRefundStatus::Completed
        && refund.refund_id.is_some()
        && !is_reversing(refund)
}

fn is_reversing(refund: &DeviceRefundResource) -> bool {
    refund
        .reversal
        .as_ref()
        .is_some_and(|r| r.status == DeviceRefundReversal::Reversing)
}

fn details(refund: &DeviceRefundResource) -> String {
    format!(
        "Order {} · {} · Payroc refund {}",
        refund.order_id,
        refund.description,
        refund.refund_id.as_deref().unwrap_or("—")
    )
}

fn form_page(
    session: &StaffSessionRecord,
    devices: &[String],
    problem: Option<&str>,
    checkout: &str,
) -> Response {
    let options: String = devices
        .iter()
        .map(|d| format!(r#"<option value="{0}">{0}</option>"#, escape(d)))
        .collect();
    let html = format!(
        r#"<h1>Refund on a terminal</h1>{problem}
<p>The terminal shows the refund and waits for the customer's card.</p>
<form method="post" action="/admin/device-refunds"><fieldset><legend>Refund details</legend><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="nonce" value="{nonce}">
<label for="device">Terminal</label><select id="device" name="device" data-testid="terminal-device">{options}</select>
<label for="amount">Amount (dollars.cents)</label><input id="amount" name="amount" type="text" inputmode="decimal" required data-testid="terminal-refund-amount">
<label for="currency">Currency</label><select id="currency" name="currency"><option>USD</option><option>CAD</option></select>
<label for="order">Order id (up to 24 characters)</label><input id="order" name="orderId" type="text" maxlength="24" required data-testid="terminal-refund-order">
<label for="description">Description</label><input id="description" name="description" type="text" required data-testid="terminal-refund-description">
<label for="entry">How the terminal takes the card</label><select id="entry" name="entryMethod" data-testid="terminal-entry-method"><option value="device_read">Tap, insert or swipe</option><option value="manual_entry">Keyed in on the terminal (the chip cannot be read)</option><option value="device_read_or_manual_entry">Either</option></select>
<label for="checkout">Payment it refunds (optional checkout id)</label><input id="checkout" name="checkoutId" type="text" value="{checkout}">
<div class="check"><input id="confirm" name="confirm" type="checkbox" value="yes" required data-testid="terminal-refund-confirm"> <label for="confirm">I confirm sending this refund to the terminal.</label></div>
<button type="submit" data-testid="terminal-refund-submit">Send to the terminal</button></fieldset></form>"#,
        problem = problem_notice(problem),
        csrf = escape(&session.csrf_token),
        nonce = ulid::Ulid::new(),
        checkout = escape(checkout),
    );
    page(
        if problem.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        "Refund on a terminal",
        signed_in(session),
        &html,
    )
}

#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    checkout: Option<String>,
}

async fn device_serials(state: &ConsoleState) -> Result<Vec<String>, String> {
    match list_devices(&state.app).await {
        Ok(devices) => Ok(devices
            .into_iter()
            .filter(|d| d.deactivated_date.is_none())
            .map(|d| d.serial_number)
            .collect()),
        Err(PaymentsError::DeviceRefundsOff) => {
            Err("Refunds on payment devices are not configured (PAYDESK_PAYROC_API_KEY).".into())
        }
        Err(error) => {
            tracing::warn!(%error, "could not list Payroc devices");
            Err("Payroc could not be reached to list the terminals; try again shortly.".into())
        }
    }
}

/// `GET /admin/device-refunds/new[?checkout=chk_…]`.
pub async fn new_form(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::Payout>,
    Query(query): Query<NewQuery>,
) -> Response {
    let checkout = query.checkout.unwrap_or_default();
    match device_serials(&state).await {
        Ok(devices) => form_page(&session, &devices, None, &checkout),
        Err(problem) => form_page(&session, &[], Some(&problem), &checkout),
    }
}

/// `POST /admin/device-refunds`.
pub async fn create(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::Payout>,
    headers: HeaderMap,
    Form(fields): Fields,
) -> Response {
    if let Err(answer) = check_post(&state, &headers, &session, &fields) {
        return *answer;
    }
    let devices = device_serials(&state).await.unwrap_or_default();
    let checkout = field(&fields, "checkoutId").to_string();
    let problem = |message: &str| form_page(&session, &devices, Some(message), &checkout);
    if field(&fields, "confirm") != "yes" {
        return problem("Tick the confirmation box to go ahead.");
    }
    let amount = match parse_major_units(field(&fields, "amount")) {
        Ok(amount) => amount,
        Err(message) => return problem(&message),
    };
    let Some(entry_method) = DeviceEntryMethod::parse(field(&fields, "entryMethod")) else {
        return problem("Choose how the terminal takes the card.");
    };
    let request = NewDeviceRefund {
        device: field(&fields, "device").to_string(),
        amount,
        currency: field(&fields, "currency").to_string(),
        order_id: field(&fields, "orderId").to_string(),
        description: field(&fields, "description").to_string(),
        operator: Some(session.email.chars().take(50).collect()),
        checkout_id: Some(checkout.clone()).filter(|c| !c.is_empty()),
        entry_method: Some(entry_method),
        metadata: Default::default(),
    };
    // The form's nonce makes a double submission return the first refund, not a second one.
    let key = nonce_key(&fields);
    match create_device_refund(&state.app, request, key, &Actor::staff(&session.email)).await {
        Ok(Payout::Created(refund, _)) => {
            Redirect::to(&format!("/admin/device-refunds/{}", refund.id)).into_response()
        }
        Ok(Payout::AwaitingApproval(approval)) => {
            Redirect::to(&format!("/admin/approvals#{}", approval.id)).into_response()
        }
        Err(error) => problem(&error.to_client_error().message),
    }
}

/// `GET /admin/device-refunds/{id}`: the live status view.
pub async fn show(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::View>,
    Path(id): Path<String>,
) -> Response {
    let refund = match get_device_refund(&state.app, &id).await {
        Ok(refund) => refund,
        Err(_) => {
            return page(
                StatusCode::NOT_FOUND,
                "Not found",
                signed_in(&session),
                "<h1>No such device refund</h1>",
            )
        }
    };
    let final_status = refund.status.is_final();
    let html = format!(
        r#"<h1>Refund on terminal {device}</h1>
<noscript>{refresh}</noscript>{reversing_refresh}
<section data-device-refund data-status="{status}" data-status-url="/admin/device-refunds/{id}/status">
<p class="amount">{amount}</p>
<p role="status" aria-live="polite" data-testid="device-refund-status">{label}</p>
<p class="muted" data-testid="device-refund-details">{details}</p>
<form method="post" action="/admin/device-refunds/{id}/cancel" data-testid="device-refund-cancel-form"{hidden}>
<input type="hidden" name="csrf" value="{csrf}">
<div class="check"><input id="confirm" name="confirm" type="checkbox" value="yes" required> <label for="confirm">Cancel this refund on the terminal</label></div>
<button type="submit" data-testid="device-refund-cancel">Cancel</button></form>
{reversal}{reverse_form}
</section>{checkout}
<script src="/admin/terminal.js" defer></script>"#,
        device = escape(&refund.device),
        refresh = if final_status {
            ""
        } else {
            r#"<meta http-equiv="refresh" content="3">"#
        },
        status = refund.status.as_str(),
        id = escape(&refund.id),
        amount = money(refund.amount, &refund.currency),
        label = escape(&label(&refund)),
        details = escape(&details(&refund)),
        hidden = if can_cancel(&refund) { "" } else { " hidden" },
        reversing_refresh = if is_reversing(&refund) {
            r#"<meta http-equiv="refresh" content="3">"#
        } else {
            ""
        },
        reversal = reversal_label(&refund)
            .map(|text| format!(
                r#"<p role="status" data-testid="device-refund-reversal">{}</p>"#,
                escape(&text)
            ))
            .unwrap_or_default(),
        reverse_form = reverse_form(&refund.id, &session.csrf_token, can_reverse(&refund)),
        csrf = escape(&session.csrf_token),
        checkout = refund
            .checkout_id
            .as_deref()
            .map(|c| format!(
                r#"<p>Refunds payment <a href="/admin/checkouts/{0}">{0}</a></p>"#,
                escape(c)
            ))
            .unwrap_or_default(),
    );
    let mut response = page(
        StatusCode::OK,
        "Refund on a terminal",
        signed_in(&session),
        &html,
    );
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONSOLE_LIVE_POLICY),
    );
    response
}

#[derive(Deserialize)]
pub struct StatusQuery {
    #[serde(default)]
    wait: Option<u64>,
    #[serde(default)]
    seen: Option<String>,
}

/// `GET /admin/device-refunds/{id}/status?wait=N&seen=S`: the status as JSON, once it differs from
/// `seen` (or after N seconds, at most 30).
pub async fn status(
    State(state): State<ConsoleState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<StatusQuery>,
) -> Response {
    // JSON for the page's script, so not the `Staff` extractor's redirect or page.
    match require(&state, &headers).await {
        Ok(session) if session.role.permits(Permission::View) => {}
        Ok(_) => {
            return (
                StatusCode::FORBIDDEN,
                Json(json!({ "error": "not permitted" })),
            )
                .into_response()
        }
        Err(_) => {
            return (
                StatusCode::UNAUTHORIZED,
                Json(json!({ "error": "signed out" })),
            )
                .into_response()
        }
    }
    let wait = Duration::from_secs(query.wait.unwrap_or(0).min(30));
    let seen = query.seen.as_deref().and_then(DeviceRefundStatus::parse);
    let Ok(refund) = wait_for_device_refund(&state.app, &id, wait, seen).await else {
        return (StatusCode::NOT_FOUND, Json(json!({ "error": "not found" }))).into_response();
    };
    let mut response = Json(json!({
        "status": refund.status,
        "label": label(&refund),
        "details": details(&refund),
        "final": refund.status.is_final(),
        "canCancel": can_cancel(&refund),
        "canReverse": can_reverse(&refund),
    }))
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The form that reverses a completed refund (confirmed with a checkbox: it cannot be undone);
/// hidden until the refund can be reversed (the page's script shows it once it completes).
fn reverse_form(id: &str, csrf: &str, shown: bool) -> String {
    format!(
        r#"<form method="post" action="/admin/device-refunds/{id}/reverse" data-testid="device-refund-reverse-form"{hidden}>
<input type="hidden" name="csrf" value="{csrf}">
<p class="muted">A refund made by mistake can be reversed while Payroc's batch is still open (usually until the end of the day): no money then goes to the card.</p>
<div class="check"><input id="confirm-reverse" name="confirm" type="checkbox" value="yes" required> <label for="confirm-reverse">Reverse this refund</label></div>
<button type="submit" data-testid="device-refund-reverse">Reverse</button></form>"#,
        id = escape(id),
        csrf = escape(csrf),
        hidden = if shown { "" } else { " hidden" },
    )
}

/// `POST /admin/device-refunds/{id}/reverse`: Payroc's answer is on the page it redirects to.
pub async fn reverse(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::StopPayout>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Fields,
) -> Response {
    if let Err(answer) = check_post(&state, &headers, &session, &fields) {
        return *answer;
    }
    if field(&fields, "confirm") != "yes" {
        return Redirect::to(&format!("/admin/device-refunds/{id}")).into_response();
    }
    if let Err(error) = reverse_device_refund(&state.app, &id, &Actor::staff(&session.email)).await
    {
        tracing::info!(device_refund = %id, %error, "console reversal refused");
    }
    Redirect::to(&format!("/admin/device-refunds/{id}")).into_response()
}

/// `POST /admin/device-refunds/{id}/cancel`.
pub async fn cancel(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::StopPayout>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Fields,
) -> Response {
    if let Err(answer) = check_post(&state, &headers, &session, &fields) {
        return *answer;
    }
    if let Err(error) = cancel_device_refund(&state.app, &id, &Actor::staff(&session.email)).await {
        tracing::info!(device_refund = %id, %error, "console cancel refused");
    }
    Redirect::to(&format!("/admin/device-refunds/{id}")).into_response()
}
