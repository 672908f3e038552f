//! `/admin/reconciliation`: the reconciliation report for the merchant's finance team — paydesk's
//! records against the gateway's transactions since a date, every discrepancy listed.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use paydesk_core::payments::{reconciliation_report, since_from, ReportGateways};
use paydesk_core::store::now_ms;

use super::console_state::ConsoleState;
use super::html::{escape, page};
use super::signed_in::{internal, may, signed_in, Staff};

pub async fn report(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::View>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let asked = params
        .get("since")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .unwrap_or("7d")
        .to_string();
    let Some(since) = since_from(&asked, now_ms()) else {
        let body = format!(
            r#"<h1>Reconciliation</h1><p class="problem" role="alert" data-testid="problem">"{}" is not a start: write 7d, 24h, 2026-11-01 or a full time.</p>{}"#,
            escape(&asked),
            form(&asked)
        );
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Reconciliation",
            signed_in(&session),
            &body,
        );
    };
    let report = match reconciliation_report(
        &state.app.store,
        ReportGateways::of(&state.app),
        since,
    )
    .await
    {
        Ok(report) => report,
        Err(error) => return internal(error),
    };
    let rows: String = report
        .discrepancies
        .iter()
        .map(|d| {
            let kind = serde_json::to_value(d.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
            format!(
                r#"<tr data-testid="discrepancy" data-kind="{kind}"><td>{kind}</td><td><code>{}</code></td><td>{}</td></tr>"#,
                escape(&d.subject),
                escape(&d.detail),
                kind = escape(&kind)
            )
        })
        .collect();
    let verdict = if report.discrepancies.is_empty() {
        r#"<p class="notice" role="status" data-testid="reconciled">paydesk and the gateway agree.</p>"#.to_string()
    } else {
        format!(
            r#"<p class="problem" role="alert" data-testid="discrepancies">{} discrepancies need attention.</p>"#,
            report.discrepancies.len()
        )
    };
    let body = format!(
        r#"<h1>Reconciliation</h1>{form}<p class="muted">Since {since}: {gateway} gateway transactions, {attempts} payment-form sessions, {operations} captures, voids and refunds compared.</p>{verdict}
<table data-testid="reconciliation"><thead><tr><th scope="col">Kind</th><th scope="col">About</th><th scope="col">What</th></tr></thead><tbody>{rows}</tbody></table>"#,
        form = form(&asked),
        since = escape(&report.since),
        gateway = report.gateway_transactions,
        attempts = report.attempts,
        operations = report.operations,
    );
    page(StatusCode::OK, "Reconciliation", signed_in(&session), &body)
}

fn form(since: &str) -> String {
    format!(
        r#"<form method="get" action="/admin/reconciliation"><label for="since">Since (7d, 24h, 2026-11-01)</label>
<input id="since" name="since" value="{}" data-testid="since"> <button type="submit">Compare</button></form>"#,
        escape(since)
    )
}
