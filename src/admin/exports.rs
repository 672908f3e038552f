//! The console's CSV exports: the payments list as filtered (`/admin/payments.csv`) and every refund
//! that paid out (`/admin/refunds.csv`), times in UTC and in the staff member's zone, amounts in
//! minor units.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use paydesk_core::model::{LinkKind, SupportReference};
use paydesk_core::store::{iso8601, StaffSessionRecord};

use super::console_state::ConsoleState;
use super::payments_list::{read_filters, Filters};
use super::signed_in::{internal, may, Staff};
use super::staff_time::StaffTime;

/// Rows an export holds at most.
const EXPORT_LIMIT: i64 = 10_000;

/// A cell as a spreadsheet must take it: text that starts like a formula is prefixed with `'`.
fn cell(text: Option<&str>) -> String {
    let text = text.unwrap_or_default();
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// The staff member's zone and the request's filters, or the answer to give instead.
fn asked(
    session: &StaffSessionRecord,
    params: &HashMap<String, String>,
) -> Result<(StaffTime, Filters), Box<Response>> {
    let time = StaffTime::of(session);
    let filters = read_filters(params, &time);
    if filters.problems.is_empty() {
        Ok((time, filters))
    } else {
        Err(Box::new(
            (StatusCode::BAD_REQUEST, filters.problems.join(" ")).into_response(),
        ))
    }
}

/// `file`, a CSV of `header` and `rows`, to download.
fn csv_file<const N: usize>(
    file: &str,
    header: [&str; N],
    rows: impl Iterator<Item = [String; N]>,
) -> Response {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let written = std::iter::once(writer.write_record(header))
        .chain(rows.map(|row| writer.write_record(row)))
        .collect::<Result<(), _>>();
    if let Err(error) = written {
        return internal(error);
    }
    let body = match writer.into_inner() {
        Ok(body) => body,
        Err(error) => return internal(error),
    };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /admin/payments.csv`: the filtered payments (up to 10,000).
pub async fn payments(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::Export>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let (time, filters) = match asked(&session, &params) {
        Ok(asked) => asked,
        Err(response) => return *response,
    };
    let rows = match state
        .app
        .store
        .filter_links(LinkKind::Payment, &filters.filter, EXPORT_LIMIT, 0)
        .await
    {
        Ok(rows) => rows,
        Err(e) => return internal(e),
    };
    csv_file(
        "payments.csv",
        [
            "id",
            "created_at",
            "created_local",
            "status",
            "amount",
            "currency",
            "order_number",
            "invoice_number",
            "reference_id",
            "support_reference",
        ],
        rows.iter().map(|c| {
            [
                c.id.clone(),
                iso8601(c.created_at),
                time.format(c.created_at),
                c.status.to_string(),
                c.amount.to_string(),
                c.currency.clone(),
                cell(c.order_number.as_deref()),
                cell(c.invoice_number.as_deref()),
                cell(c.merchant_reference_id.as_deref()),
                SupportReference::of_id(&c.id).to_string(),
            ]
        }),
    )
}

/// `GET /admin/refunds.csv`: every refund that paid out, of any kind (up to 10,000), optionally
/// created `from` / `to` (dates in the staff member's time zone).
pub async fn refunds(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::Export>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let (time, filters) = match asked(&session, &params) {
        Ok(asked) => asked,
        Err(response) => return *response,
    };
    let rows = match state
        .app
        .store
        .paid_refunds(
            filters.filter.created_from,
            filters.filter.created_before,
            EXPORT_LIMIT,
        )
        .await
    {
        Ok(rows) => rows,
        Err(e) => return internal(e),
    };
    csv_file(
        "refunds.csv",
        [
            "kind",
            "id",
            "checkout_id",
            "created_at",
            "created_local",
            "amount",
            "currency",
            "order_number",
        ],
        rows.iter().map(|r| {
            [
                r.kind.clone(),
                r.id.clone(),
                r.checkout_id.clone().unwrap_or_default(),
                iso8601(r.created_at),
                time.format(r.created_at),
                r.amount.to_string(),
                r.currency.clone(),
                cell(r.order_number.as_deref()),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_not_run_by_a_spreadsheet() {
        assert_eq!(cell(Some("=HYPERLINK(\"x\")")), "'=HYPERLINK(\"x\")");
        assert_eq!(cell(Some("-1")), "'-1");
        assert_eq!(cell(Some("A-1001")), "A-1001");
        assert_eq!(cell(None), "");
    }
}
