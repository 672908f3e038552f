//! The console's search for a support reference a customer quotes (`PD-7K4M-2Q`): typed into any
//! list's search box, it looks through payments, refund links and Commerce Hub refunds together,
//! opens the one it names, and lists them when a reference is shared.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use paydesk_core::model::{LinkKind, SupportReference};
use paydesk_core::store::StaffSessionRecord;

use super::console_state::ConsoleState;
use super::html::{escape, money, page};
use super::signed_in::{internal, signed_in};
use super::staff_time::StaffTime;

/// One thing a support reference names.
struct Found {
    what: &'static str,
    href: String,
    id: String,
    created_at: i64,
    amount: i64,
    currency: String,
    status: String,
}

/// The reference in `query`, if it is one (it starts with `PD`).
pub fn reference_in(query: Option<&str>) -> Option<SupportReference> {
    query.and_then(SupportReference::parse)
}

/// Opens the payment, refund link or refund `reference` names; lists them when there are several,
/// and says so when there is none.
pub async fn find(
    state: &ConsoleState,
    session: &StaffSessionRecord,
    reference: &SupportReference,
) -> Response {
    let time = StaffTime::of(session);
    let links = match state.app.store.links_by_support_reference(reference).await {
        Ok(links) => links,
        Err(error) => return internal(error),
    };
    let refunds = match state
        .app
        .store
        .gateway_refunds_by_support_reference(reference)
        .await
    {
        Ok(refunds) => refunds,
        Err(error) => return internal(error),
    };
    let mut found: Vec<Found> = links
        .into_iter()
        .map(|link| {
            let (what, path) = match link.kind {
                LinkKind::Payment => ("Payment", "checkouts"),
                LinkKind::Refund => ("Refund link", "refund-links"),
            };
            Found {
                what,
                href: format!("/admin/{path}/{}", link.id),
                status: link.status.to_string(),
                id: link.id,
                created_at: link.created_at,
                amount: link.amount,
                currency: link.currency,
            }
        })
        .chain(refunds.into_iter().map(|refund| Found {
            what: "Commerce Hub refund",
            href: format!("/admin/refunds/{}", refund.id),
            status: refund.status.to_string(),
            id: refund.id,
            created_at: refund.created_at,
            amount: refund.amount,
            currency: refund.currency,
        }))
        .collect();
    if let [only] = found.as_slice() {
        return Redirect::to(&only.href).into_response();
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.created_at));
    let shown = escape(&reference.to_string());
    let body = if found.is_empty() {
        format!(
            r#"<h1>Support reference {shown}</h1><p role="status" data-testid="reference-none">No payment, refund link or refund has the support reference {shown}. Check it with the customer: it is on every page they saw, under the amount.</p>"#
        )
    } else {
        let rows: String = found
            .iter()
            .map(|f| {
                format!(
                    r#"<tr><td>{what}</td><td><a href="{href}" data-testid="reference-match">{id}</a></td><td>{created}</td><td>{amount}</td><td>{status}</td></tr>"#,
                    what = f.what,
                    href = escape(&f.href),
                    id = escape(&f.id),
                    created = escape(&time.format(f.created_at)),
                    amount = money(f.amount, &f.currency),
                    status = escape(&f.status),
                )
            })
            .collect();
        format!(
            r#"<h1>Support reference {shown}</h1><p>{count} records share this reference: tell them apart by amount and date.</p>
<table data-testid="reference-matches"><thead><tr><th scope="col">What</th><th scope="col">Id</th><th scope="col">Created</th><th scope="col">Amount</th><th scope="col">Status</th></tr></thead><tbody>{rows}</tbody></table>"#,
            count = found.len(),
        )
    };
    page(
        StatusCode::OK,
        "Support reference",
        signed_in(session),
        &body,
    )
}
