//! The console's first page: today's and the last 30 days' payments, approval rate, declines by
//! reason and refunds, as figures and server-rendered SVG charts (no script), counted in the staff
//! member's time zone; the support-reference search; links to the lists, their CSV exports and the
//! reconciliation report.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use paydesk_core::payments::{dashboard, CurrencyReport, Dashboard, Totals, DASHBOARD_DAYS};

use super::charts::{bar_chart, column_chart, Bar};
use super::console_state::ConsoleState;
use super::html::{escape, money, page, search_form};
use super::signed_in::{internal, may, signed_in, Staff};
use super::staff_time::StaffTime;

fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{r:.1}%"))
        .unwrap_or_else(|| "—".into())
}

/// `11-22` from `2026-11-22`: a short day label under a column.
fn short_date(date: &str) -> String {
    date.get(5..).unwrap_or(date).to_string()
}

/// One column per day of `report`: the amount `amount_of` picks from its totals.
fn day_bars(report: &CurrencyReport, amount_of: impl Fn(&Totals) -> i64) -> Vec<Bar> {
    report
        .days
        .iter()
        .map(|day| {
            let minor = amount_of(&day.totals);
            Bar {
                label: short_date(&day.date),
                value: minor as f64,
                shown: money(minor, &report.currency),
            }
        })
        .collect()
}

fn currency_section(report: &CurrencyReport) -> String {
    let currency = escape(&report.currency);
    let m = |minor: i64| money(minor, &report.currency);
    let volume = day_bars(report, |totals| totals.volume);
    let refunds = day_bars(report, |totals| totals.refunded);
    let lower = report.currency.to_ascii_lowercase();
    format!(
        r#"<section aria-labelledby="totals-{lower}"><h2 id="totals-{lower}">{currency}</h2>
<table class="figures" data-testid="totals-{lower}"><thead><tr><th scope="col"></th><th scope="col">Approved payments</th><th scope="col">Volume</th><th scope="col">Refunds</th><th scope="col">Refunded</th></tr></thead><tbody>
<tr><th scope="row">Today</th><td data-testid="today-payments-{lower}">{tp}</td><td data-testid="today-volume-{lower}">{tv}</td><td data-testid="today-refunds-{lower}">{tr}</td><td data-testid="today-refunded-{lower}">{trd}</td></tr>
<tr><th scope="row">Last {DASHBOARD_DAYS} days</th><td data-testid="month-payments-{lower}">{mp}</td><td data-testid="month-volume-{lower}">{mv}</td><td data-testid="month-refunds-{lower}">{mr}</td><td data-testid="month-refunded-{lower}">{mrd}</td></tr>
</tbody></table>
<h3>Volume per day</h3>{volume_chart}<h3>Refunded per day</h3>{refund_chart}</section>"#,
        tp = report.today.payments,
        tv = m(report.today.volume),
        tr = report.today.refunds,
        trd = m(report.today.refunded),
        mp = report.last_30_days.payments,
        mv = m(report.last_30_days.volume),
        mr = report.last_30_days.refunds,
        mrd = m(report.last_30_days.refunded),
        volume_chart = column_chart(
            &format!("volume-chart-{lower}"),
            &format!("{currency} volume per day, last {DASHBOARD_DAYS} days"),
            &volume,
            7
        ),
        refund_chart = column_chart(
            &format!("refund-chart-{lower}"),
            &format!("{currency} refunded per day, last {DASHBOARD_DAYS} days"),
            &refunds,
            7
        ),
    )
}

/// The dashboard's HTML for `report`.
pub fn dashboard_html(report: &Dashboard, time_form: &str) -> String {
    let approval_bars: Vec<Bar> = report
        .approval_days
        .iter()
        .map(|day| {
            let rate = day.approvals.rate_percent();
            Bar {
                label: short_date(&day.date),
                value: rate.unwrap_or(0.0),
                shown: percent(rate),
            }
        })
        .collect();
    let reason_bars: Vec<Bar> = report
        .declines_by_reason
        .iter()
        .map(|reason| Bar {
            label: reason.reason.clone(),
            value: reason.declines as f64,
            shown: reason.declines.to_string(),
        })
        .collect();
    let reasons: String = report
        .declines_by_reason
        .iter()
        .map(|r| {
            format!(
                r#"<tr><td>{}</td><td data-testid="declines-{}">{}</td></tr>"#,
                escape(&r.reason),
                escape(&r.reason.to_ascii_lowercase().replace(' ', "-")),
                r.declines
            )
        })
        .collect();
    let currencies: String = if report.currencies.is_empty() {
        r#"<p class="muted" data-testid="no-activity">No payments or refunds in the last 30 days.</p>"#.to_string()
    } else {
        report.currencies.iter().map(currency_section).collect()
    };
    format!(
        r#"<h1>Dashboard</h1>
{search}
<p class="muted">Today is <strong data-testid="dashboard-today">{today}</strong> in <span data-testid="dashboard-time-zone">{zone}</span>. Payments count by the day they were created, once approved (voided ones are left out); refunds, once paid out. <a href="/admin/payments">All payments</a> · <a href="/admin/payments.csv">payments as CSV</a> · <a href="/admin/refunds.csv">refunds as CSV</a> · <a href="/admin/reconciliation" data-testid="reconciliation-link">Reconciliation report</a></p>
{time_form}
{currencies}
<section aria-labelledby="approvals"><h2 id="approvals">Approval rate</h2>
<table class="figures" data-testid="approvals"><thead><tr><th scope="col"></th><th scope="col">Approved</th><th scope="col">Declined</th><th scope="col">Rate</th></tr></thead><tbody>
<tr><th scope="row">Today</th><td data-testid="today-approved">{ta}</td><td data-testid="today-declined">{td}</td><td data-testid="today-rate">{tr}</td></tr>
<tr><th scope="row">Last {DASHBOARD_DAYS} days</th><td data-testid="month-approved">{ma}</td><td data-testid="month-declined">{md}</td><td data-testid="month-rate">{mr}</td></tr></tbody></table>
<p class="muted">Card attempts on payment links that ended approved or declined.</p>
{approval_chart}</section>
<section aria-labelledby="declines"><h2 id="declines">Declines by reason, last {DASHBOARD_DAYS} days</h2>
{reason_chart}
<table data-testid="declines-by-reason"><thead><tr><th scope="col">Reason</th><th scope="col">Declines</th></tr></thead><tbody>{reasons}</tbody></table></section>"#,
        search = search_form("/admin/payments", ""),
        today = escape(&report.today),
        zone = escape(&report.time_zone),
        ta = report.approvals_today.approved,
        td = report.approvals_today.declined,
        tr = percent(report.approvals_today.rate_percent()),
        ma = report.approvals_last_30_days.approved,
        md = report.approvals_last_30_days.declined,
        mr = percent(report.approvals_last_30_days.rate_percent()),
        approval_chart = column_chart(
            "approval-chart",
            &format!("Approval rate per day, last {DASHBOARD_DAYS} days"),
            &approval_bars,
            7
        ),
        reason_chart = bar_chart("declines-chart", "Declines by reason", &reason_bars),
    )
}

pub async fn show(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::View>,
) -> Response {
    let time = StaffTime::of(&session);
    let report = match dashboard(&state.app, time.name(), time.zone(), jiff::Timestamp::now()).await
    {
        Ok(report) => report,
        Err(error) => return internal(error),
    };
    let html = dashboard_html(&report, &time.form(&session.csrf_token));
    page(StatusCode::OK, "Dashboard", signed_in(&session), &html)
}
