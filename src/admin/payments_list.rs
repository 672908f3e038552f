//! The console's payments list: search, filters by status, creation date (in the staff member's
//! time zone) and amount, a page at a time.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use paydesk_core::model::{CheckoutStatus, LinkKind};
use paydesk_core::store::LinkFilter;

use super::console_state::ConsoleState;
use super::html::{escape, money, opt, page, parse_major_units, search_field};
use super::signed_in::{internal, may, signed_in, Staff};
use super::staff_time::StaffTime;
use super::support_search;

/// The statuses a payment link has (what the list shows and filters by). Captures, voids and
/// refunds are operations on an authorized payment: its page shows where its money stands.
const LINK_STATUSES: [CheckoutStatus; 6] = [
    CheckoutStatus::Open,
    CheckoutStatus::Processing,
    CheckoutStatus::Authorized,
    CheckoutStatus::Declined,
    CheckoutStatus::Failed,
    CheckoutStatus::Expired,
];

/// Rows per page.
const PAGE_SIZE: i64 = 50;

/// The list's filters as typed, and what they mean (or what is wrong with them).
pub(super) struct Filters {
    typed: HashMap<String, String>,
    pub(super) filter: LinkFilter,
    page: i64,
    pub(super) problems: Vec<String>,
}

fn typed<'a>(params: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
}

pub(super) fn read_filters(params: &HashMap<String, String>, time: &StaffTime) -> Filters {
    let mut problems = Vec::new();
    let status = typed(params, "status").and_then(|s| {
        let status = CheckoutStatus::parse(s).filter(|status| LINK_STATUSES.contains(status));
        if status.is_none() {
            problems.push(format!("{s} is not a payment status."));
        }
        status
    });
    let mut day = |name: &str, end: bool| {
        typed(params, name).and_then(|d| {
            let at = if end {
                time.day_end(d)
            } else {
                time.day_start(d)
            };
            if at.is_none() {
                problems.push(format!("{d} is not a date (YYYY-MM-DD)."));
            }
            at
        })
    };
    let created_from = day("from", false);
    let created_before = day("to", true);
    let mut amount = |name: &str| {
        typed(params, name).and_then(|a| match parse_major_units(a) {
            Ok(minor) => Some(minor),
            Err(problem) => {
                problems.push(problem);
                None
            }
        })
    };
    let min_amount = amount("min");
    let max_amount = amount("max");
    let page = typed(params, "page")
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| (1..=100_000).contains(p))
        .unwrap_or(1);
    Filters {
        typed: params.clone(),
        filter: LinkFilter {
            query: typed(params, "q").map(str::to_string),
            status,
            created_from,
            created_before,
            min_amount,
            max_amount,
        },
        page,
        problems,
    }
}

/// The query string of these filters (without `page`), for links and the export.
fn query_of(filters: &Filters) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for name in ["q", "status", "from", "to", "min", "max"] {
        if let Some(value) = typed(&filters.typed, name) {
            query.append_pair(name, value);
        }
    }
    query.finish()
}

fn filter_form(filters: &Filters) -> String {
    let value = |name: &str| escape(typed(&filters.typed, name).unwrap_or_default());
    let selected = typed(&filters.typed, "status");
    let statuses: String = std::iter::once(r#"<option value="">Any</option>"#.to_string())
        .chain(LINK_STATUSES.iter().map(|s| {
            format!(
                r#"<option value="{s}"{sel}>{s}</option>"#,
                sel = if selected == Some(s.as_str()) {
                    " selected"
                } else {
                    ""
                }
            )
        }))
        .collect();
    format!(
        r#"<form method="get" action="/admin/payments" class="filters" data-testid="filters">
<div>{search}</div>
<div><label for="status">Status</label><select id="status" name="status" data-testid="filter-status">{statuses}</select></div>
<div><label for="from">Created from</label><input id="from" name="from" type="date" value="{from}" data-testid="filter-from"></div>
<div><label for="to">to</label><input id="to" name="to" type="date" value="{to}" data-testid="filter-to"></div>
<div><label for="min">Amount from</label><input id="min" name="min" inputmode="decimal" value="{min}" data-testid="filter-min"></div>
<div><label for="max">to</label><input id="max" name="max" inputmode="decimal" value="{max}" data-testid="filter-max"></div>
<div><button type="submit" data-testid="filter-submit">Show</button></div></form>"#,
        search = search_field(typed(&filters.typed, "q").unwrap_or_default()),
        from = value("from"),
        to = value("to"),
        min = value("min"),
        max = value("max"),
    )
}

pub async fn list(
    State(state): State<ConsoleState>,
    Staff(session, _): Staff<may::View>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    if let Some(reference) = support_search::reference_in(typed(&params, "q")) {
        return support_search::find(&state, &session, &reference).await;
    }
    let time = StaffTime::of(&session);
    let filters = read_filters(&params, &time);
    if !filters.problems.is_empty() {
        let problems: String = filters
            .problems
            .iter()
            .map(|p| format!("<li>{}</li>", escape(p)))
            .collect();
        let body = format!(
            r#"<h1>Payments</h1><div class="problem" role="alert" data-testid="problem"><p>These filters could not be read:</p><ul>{problems}</ul></div>{form}"#,
            form = filter_form(&filters)
        );
        return page(
            StatusCode::BAD_REQUEST,
            "Payments",
            signed_in(&session),
            &body,
        );
    }
    let offset = (filters.page - 1) * PAGE_SIZE;
    let mut rows = match state
        .app
        .store
        .filter_links(LinkKind::Payment, &filters.filter, PAGE_SIZE + 1, offset)
        .await
    {
        Ok(rows) => rows,
        Err(e) => return internal(e),
    };
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let body: String = rows
        .iter()
        .map(|c| {
            format!(
                r#"<tr><td><a href="/admin/checkouts/{id}" data-testid="payment-link">{id}</a></td><td>{created}</td><td>{order}</td><td>{reference}</td><td data-testid="payment-amount">{amount}</td><td data-testid="payment-row-status">{status}</td></tr>"#,
                id = escape(&c.id),
                created = escape(&time.format(c.created_at)),
                order = opt(&c.order_number),
                reference = opt(&c.merchant_reference_id),
                amount = money(c.amount, &c.currency),
                status = c.status,
            )
        })
        .collect();
    let query = query_of(&filters);
    let link = |page: i64| {
        let separator = if query.is_empty() { "" } else { "&" };
        format!("/admin/payments?{query}{separator}page={page}")
    };
    let newer = if filters.page > 1 {
        format!(
            r#"<a href="{}" rel="prev" data-testid="page-newer">Newer</a>"#,
            escape(&link(filters.page - 1))
        )
    } else {
        String::new()
    };
    let older = if more {
        format!(
            r#"<a href="{}" rel="next" data-testid="page-older">Older</a>"#,
            escape(&link(filters.page + 1))
        )
    } else {
        String::new()
    };
    let csv = if query.is_empty() {
        "/admin/payments.csv".to_string()
    } else {
        format!("/admin/payments.csv?{query}")
    };
    let html = format!(
        r#"<h1>Payments</h1>{form}<p><a href="{csv}" data-testid="export-payments">Export these payments as CSV</a> · <a href="/admin/refunds.csv">all refunds as CSV</a></p>
<table data-testid="payments"><caption class="muted">Newest first · page <span data-testid="page-number">{page}</span> · times in {zone}</caption>
<thead><tr><th scope="col">Checkout</th><th scope="col">Created</th><th scope="col">Order</th><th scope="col">Reference</th><th scope="col">Amount</th><th scope="col">Status</th></tr></thead>
<tbody>{body}</tbody></table><nav class="pages" aria-label="Pages">{newer} {older}</nav>"#,
        form = filter_form(&filters),
        csv = escape(&csv),
        page = filters.page,
        zone = escape(time.name()),
    );
    page(StatusCode::OK, "Payments", signed_in(&session), &html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_read_in_the_staff_members_zone_and_problems_named() {
        let toronto = StaffTime::named("America/Toronto").unwrap();
        let params: HashMap<String, String> = [
            ("status", "authorized"),
            ("from", "2026-11-22"),
            ("to", "2026-11-22"),
            ("min", "10"),
            ("max", "20.50"),
            ("page", "3"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let filters = read_filters(&params, &toronto);
        assert!(filters.problems.is_empty());
        assert_eq!(filters.filter.status, Some(CheckoutStatus::Authorized));
        assert_eq!(filters.filter.created_from, Some(1_795_323_600_000));
        assert_eq!(
            filters.filter.created_before,
            Some(1_795_323_600_000 + 86_400_000)
        );
        assert_eq!(
            (filters.filter.min_amount, filters.filter.max_amount),
            (Some(1000), Some(2050))
        );
        assert_eq!(filters.page, 3);
        assert_eq!(
            query_of(&filters),
            "status=authorized&from=2026-11-22&to=2026-11-22&min=10&max=20.50"
        );

        let bad: HashMap<String, String> =
            [("status", "paid"), ("from", "yesterday"), ("min", "ten")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        assert_eq!(read_filters(&bad, &toronto).problems.len(), 3);
    }
}
