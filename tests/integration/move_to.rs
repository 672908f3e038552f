//! `paydesk move-to`: a SQLite database with payments, refund links, Commerce Hub refunds and
//! device refunds moves to an empty PostgreSQL database, verified row by row; the server on the
//! moved database shows the same money, opens the same signed links, keeps its events' order, and
//! reconciles with the gateways' own records without a discrepancy. Runs in the PostgreSQL pass.

use std::sync::Arc;

use paydesk_core::payments::{reconciliation_report, ReportGateways};
use serde_json::{json, Value};

use crate::api_tokens::cli;
use crate::common::{spawn_app_in, TestApp, TestDatabase};
use crate::gateway_refunds::{commercehub_charge, refund};

/// Everything the SQLite server holds that the move must keep.
struct Before {
    checkout: Value,
    link: Value,
    commercehub_refund: Value,
    device_refund: Value,
    events: Vec<String>,
}

async fn fill(app: &TestApp) -> Before {
    let id = app.authorized_checkout(2_500, "4111111111111111").await;
    let captured = app
        .post(
            &format!("/api/v1/checkouts/{id}/capture"),
            json!({ "amount": 2_000 }),
        )
        .await;
    assert_eq!(captured.status(), 201);
    let link: Value = app
        .post(
            "/api/v1/refund-links",
            json!({ "amount": 900, "currency": "USD" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let charge = commercehub_charge(app, 1_204, "4012001928706700").await;
    let (status, commercehub_refund) = refund(
        app,
        json!({ "gateway": "commercehub", "originalTransactionId": charge, "amount": 1_204,
                "currency": "USD", "reason": "Returned item" }),
    )
    .await;
    assert_eq!(status, 201, "{commercehub_refund}");
    let device = crate::device_refunds::create(app, "MOVE-1").await;
    let device_id = device["id"].as_str().unwrap().to_string();
    crate::device_refunds::terminal(app, "tap", &[("card", "visa")]).await;
    let device_refund = crate::device_refunds::until(app, &device_id, "completed").await;
    Before {
        checkout: app.checkout(&id).await,
        link,
        commercehub_refund,
        device_refund,
        events: event_ids(app).await,
    }
}

/// The merchant events' ids, in the order paydesk sends them.
async fn event_ids(app: &TestApp) -> Vec<String> {
    let mut ids: Vec<String> = app
        .state
        .store
        .merchant_events(None, 500)
        .await
        .unwrap()
        .into_iter()
        .map(|event| event.id)
        .collect();
    ids.reverse();
    ids
}

#[tokio::test]
async fn a_sqlite_database_moves_to_postgres_with_its_payments_links_and_refunds() {
    let target = Arc::new(TestDatabase::fresh().await);
    if !target.is_postgres() {
        // The SQLite pass has no PostgreSQL to move to; `make test` runs this in the next pass.
        return;
    }
    let source = Arc::new(TestDatabase::sqlite());
    let sandbox = [("PAYDESK_SANDBOX_DATABASE_URL", source.sandbox_url())];
    let sandbox: Vec<(&str, &str)> = sandbox.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_in(source.clone(), &sandbox).await;
    let before = fill(&app).await;
    // paydesk must be stopped: the move refuses a database in use.
    let (ok, said) = cli(&source, &["move-to", &target.url]);
    assert!(!ok && said.contains("already running"), "{said}");
    app.stop().await;

    let (ok, said) = cli(&source, &["move-to", &target.url]);
    assert!(ok, "{said}");
    assert!(said.contains("compared every row on both sides"), "{said}");
    assert!(!said.contains("password"), "{said}");
    // Only into an empty database.
    let (ok, again) = cli(&source, &["move-to", &target.url]);
    assert!(!ok && again.contains("already holds data"), "{again}");

    let app = spawn_app_in(target.clone(), &sandbox).await;
    let id = before.checkout["id"].as_str().unwrap();
    let checkout = app.checkout(id).await;
    assert_eq!(checkout["status"], before.checkout["status"]);
    assert_eq!(checkout["ledger"], before.checkout["ledger"]);
    let link = app
        .get(&format!(
            "/api/v1/refund-links/{}",
            before.link["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(link["status"], "open");
    let path = before.link["url"]
        .as_str()
        .unwrap()
        .split_once("/refund/")
        .unwrap()
        .1;
    let page = app
        .http
        .get(format!("{}/refund/{path}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.status(),
        200,
        "the signed link opens: the key moved with the data"
    );
    let hub = app
        .get(&format!(
            "/api/v1/refunds/{}",
            before.commercehub_refund["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(hub["status"], before.commercehub_refund["status"]);
    let device = app
        .get(&format!(
            "/api/v1/device-refunds/{}",
            before.device_refund["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(device["status"], "completed");
    assert_eq!(
        device["approvedAmount"],
        before.device_refund["approvedAmount"]
    );
    assert_eq!(
        event_ids(&app).await,
        before.events,
        "the same events, in the same order"
    );

    // The gateways' own records agree with the moved database.
    let report = reconciliation_report(&app.state.store, ReportGateways::of(&app.state), 0)
        .await
        .unwrap();
    assert!(
        report.discrepancies.is_empty(),
        "{:?}",
        report.discrepancies
    );
    app.stop().await;
}
