//! Reloading a payment page whose session is live costs the gateway and the database nothing on the
//! request path: the same form is shown at once, and a lookup runs in the background (one at a time,
//! at most one every two seconds), so a payment whose hint was lost still shows on a later view.

use std::time::{Duration, Instant};

use paydesk_core::model::PaymentState;
use paydesk_core::payments::Intent;
use serde_json::json;

use crate::common::{payment_page, spawn_app_with, TestApp};

/// The reconciler stays out of the way: what happens here is the page views' doing.
const QUIET: [(&str, &str); 2] = [
    ("PAYDESK_RECONCILE_INTERVAL_MS", "600000"),
    ("PAYDESK_PAGE_VIEWS_PER_MINUTE", "100000"),
];

/// Every row a page view could write: the link, its attempts and the gateway's transactions.
async fn rows(app: &TestApp, id: &str) -> Vec<String> {
    let mut rows = app
        .db
        .texts(&format!(
            "SELECT status || ':' || updated_at FROM checkouts WHERE id = '{id}'"
        ))
        .await;
    rows.extend(
        app.db
            .texts(&format!(
                "SELECT id || ':' || state || ':' || updated_at FROM session_attempts WHERE checkout_id = '{id}' ORDER BY id"
            ))
            .await,
    );
    rows.extend(
        app.db
            .texts(&format!(
                "SELECT id || ':' || status || ':' || updated_at FROM gateway_transactions WHERE checkout_id = '{id}' ORDER BY id"
            ))
            .await,
    );
    rows
}

#[tokio::test]
async fn a_reload_with_a_live_session_waits_for_no_lookup_and_writes_nothing() {
    let app = spawn_app_with(&QUIET).await;
    let (id, form) = app.open_session(1000).await;
    // Every lookup from now on takes five seconds at the gateway.
    let queued = app
        .inject(
            json!({ "operation": "transactions", "fault": "slow", "delayMs": 5000, "count": 10 }),
        )
        .await;
    assert_eq!(queued.status(), 200);
    let before = rows(&app, &id).await;
    let lookups_before = app.gateway_lookups().await;

    let page = format!("{}/pay/{id}", app.base);
    for _ in 0..10 {
        let started = Instant::now();
        let response = app.http.get(&page).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let html = response.text().await.unwrap();
        assert!(
            started.elapsed() < Duration::from_millis(2500),
            "a reload waited {:?} for the gateway",
            started.elapsed()
        );
        assert!(
            html.contains(&form.iframe_url.replace('&', "&amp;")),
            "the same form"
        );
        assert_eq!(
            rows(&app, &id).await,
            before,
            "a reload wrote to the database"
        );
    }
    // One lookup went out in the background for all ten views.
    tokio::time::sleep(Duration::from_millis(5500)).await;
    assert_eq!(app.gateway_lookups().await - lookups_before, 1);
}

#[tokio::test]
async fn a_payment_whose_hint_was_lost_shows_on_a_later_view() {
    let app = spawn_app_with(&QUIET).await;
    let (id, form) = app.open_session(1000).await;
    // The card is submitted and approved, but paydesk hears nothing: no webhook, no return.
    let dropped = app
        .inject(json!({ "operation": "webhook", "fault": "drop", "count": 5 }))
        .await;
    assert_eq!(dropped.status(), 200);
    let submitted = app.submit_card(&form.iframe_url, "4111111111111111").await;
    assert!(submitted.status().is_redirection() || submitted.status().is_success());

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let page = payment_page(&app.state, &id, Intent::View).await.unwrap();
        match page.state {
            PaymentState::Paid(_) => break,
            PaymentState::Ready(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await
            }
            other => panic!("expected the payment to show, got {other:?}"),
        }
    }
    assert_eq!(app.checkout(&id).await["status"], "authorized");
}
