//! The console's HTML: one layout (strict CSP, no scripts), escaping, money in and out.

use app::server::security_headers::set_console_headers;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use paydesk_core::model::{Currency, Money};
use paydesk_core::permissions::Permission;
use paydesk_core::store::StaffSessionRecord;

pub use crate::html::escape;

pub const STYLE: &str = include_str!("admin.css");

pub fn opt(text: &Option<String>) -> String {
    text.as_deref().map(escape).unwrap_or_else(|| "—".into())
}

/// A problem with what staff sent, announced at the top of the page (nothing when there is none).
pub fn problem_notice(problem: Option<&str>) -> String {
    problem
        .map(|p| {
            format!(
                r#"<p class="problem" role="alert" data-testid="problem">{}</p>"#,
                escape(p)
            )
        })
        .unwrap_or_default()
}

/// The search box of the payment and refund-link lists (label and input, holding `query`).
pub fn search_field(query: &str) -> String {
    format!(
        r#"<label for="q">Search by id, order, invoice, reference or the customer's support reference (PD-…)</label><input id="q" name="q" type="search" value="{q}" data-testid="search">"#,
        q = escape(query)
    )
}

/// A search form that sends [`search_field`] to `action`.
pub fn search_form(action: &str, query: &str) -> String {
    format!(
        r#"<form method="get" action="{action}" role="search">{field} <button type="submit">Search</button></form>"#,
        field = search_field(query)
    )
}

/// "$12.34 USD" from minor units.
pub fn money(minor: i64, currency: &str) -> String {
    match (u32::try_from(minor), Currency::parse(currency)) {
        (Ok(minor), Some(currency)) => Money::new(minor, currency).display(),
        _ => format!("{minor} {}", escape(currency)),
    }
}

/// Parses what a person types ("12", "12.5", "12.50") into minor units. No signs, no thousands
/// separators, at most two decimals.
pub fn parse_major_units(text: &str) -> Result<i64, String> {
    let text = text.trim().trim_start_matches('$');
    let (whole, cents) = match text.split_once('.') {
        Some((w, c)) => (w, c),
        None => (text, ""),
    };
    let valid = !whole.is_empty()
        && whole.len() <= 7
        && whole.bytes().all(|b| b.is_ascii_digit())
        && cents.len() <= 2
        && cents.bytes().all(|b| b.is_ascii_digit());
    if !valid {
        return Err("Enter an amount like 12.50 (dollars and cents).".into());
    }
    let cents: i64 = format!("{cents:0<2}").parse().unwrap_or(0);
    let amount = whole.parse::<i64>().unwrap_or(0) * 100 + cents;
    if amount < 1 {
        return Err("The amount must be at least 0.01.".into());
    }
    Ok(amount)
}

/// A whole console page. `user` is the signed-in staff member (none on the login page); the
/// navigation offers only what their role permits.
pub fn page(
    status: StatusCode,
    title: &str,
    user: Option<&StaffSessionRecord>,
    body: &str,
) -> Response {
    let nav = match user {
        Some(session) => navigation(session),
        None => String::new(),
    };
    let html = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · paydesk console</title><link rel="stylesheet" href="/admin/admin.css"></head>
<body><header><p class="brand">paydesk console</p>{nav}</header><main id="main">{body}</main></body></html>"#,
        title = escape(title),
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    set_console_headers(headers);
    response
}

/// The console's links (those the role permits) and the log-out button.
fn navigation(session: &StaffSessionRecord) -> String {
    let may = |permission| session.role.permits(permission);
    let links: String = [
        ("/admin", "Dashboard", Permission::View),
        ("/admin/payments", "Payments", Permission::View),
        ("/admin/refund-links", "Refund links", Permission::View),
        (
            "/admin/refund-links/new",
            "New refund link",
            Permission::Payout,
        ),
        ("/admin/refunds", "Commerce Hub refunds", Permission::View),
        (
            "/admin/device-refunds/new",
            "Refund on a terminal",
            Permission::Payout,
        ),
        ("/admin/approvals", "Approvals", Permission::View),
        ("/admin/events", "Webhook events", Permission::View),
        ("/admin/reconciliation", "Reconciliation", Permission::View),
        ("/admin/audit", "Audit log", Permission::View),
        ("/admin/staff", "Staff", Permission::Administer),
    ]
    .into_iter()
    .filter(|(_, _, permission)| may(*permission))
    .map(|(href, label, _)| format!(r#"<a href="{href}">{label}</a>"#))
    .collect();
    format!(
        r#"<nav aria-label="Console">{links}
<form method="post" action="/admin/logout" class="inline"><input type="hidden" name="csrf" value="{csrf}">
<button type="submit" data-testid="logout">Log out {email} ({role})</button></form></nav>"#,
        csrf = escape(&session.csrf_token),
        email = escape(&session.email),
        role = escape(session.role.as_str()),
    )
}

/// The table row of a payout link's URL, or why it is not shown (`None`: the role may not see
/// it). `testid` names the URL's element for tests.
pub fn payout_url_row(url: Option<&str>, testid: &str) -> String {
    match url {
        Some(url) => format!(
            r#"<tr><th scope="row">Customer link</th><td><code data-testid="{testid}">{}</code></td></tr>"#,
            escape(url)
        ),
        None => r#"<tr><th scope="row">Customer link</th><td data-testid="payout-url-hidden">Hidden: whoever holds it is paid, and your role does not issue payouts.</td></tr>"#.to_string(),
    }
}

/// What a locked page shows staff: why, and the button that lifts the lock (`action`: the unlock
/// route of this checkout, link or refund).
pub fn locked_notice(action: &str, csrf: &str) -> String {
    format!(
        r#"<form method="post" action="{action}" class="locked" data-testid="locked-notice"><p class="problem" role="status">Locked after repeated declined cards (card testing): no new card can be tried until you unlock it. Unlock only once you trust the customer.</p><input type="hidden" name="csrf" value="{csrf}"><button type="submit" data-testid="unlock-submit">Unlock</button></form>"#,
        action = escape(action),
        csrf = escape(csrf),
    )
}

/// The confirmed cancel form of a payout link (a refund link, or a Commerce Hub refund waiting for
/// a new card), posting to `action`.
pub fn cancel_form(action: &str, csrf: &str) -> String {
    format!(
        r#"<form method="post" action="{action}" data-testid="cancel-link"><fieldset><legend>Cancel this link</legend>
<p>Sent to the wrong person? A canceled link opens no new card form and pays nothing.</p><input type="hidden" name="csrf" value="{csrf}">
<div class="check"><input id="cancel-confirm" name="confirm" type="checkbox" value="yes" required data-testid="cancel-confirm"> <label for="cancel-confirm">Cancel the link: the customer can no longer be refunded through it</label></div>
<button type="submit" data-testid="cancel-submit">Cancel link</button></fieldset></form>"#,
        action = escape(action),
        csrf = escape(csrf),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_typed_by_people() {
        assert_eq!(parse_major_units("12.50"), Ok(1250));
        assert_eq!(parse_major_units("12.5"), Ok(1250));
        assert_eq!(parse_major_units(" $7 "), Ok(700));
        assert_eq!(parse_major_units("0.01"), Ok(1));
        for bad in ["", "0", "-1", "1,000", "1.234", "abc", "12.", "99999999"] {
            assert!(parse_major_units(bad).is_err() || bad == "12.", "{bad}");
        }
        assert_eq!(parse_major_units("12."), Ok(1200));
    }

    #[test]
    fn money_in_minor_units() {
        assert_eq!(money(1999, "CAD"), "$19.99 CAD");
    }
}
