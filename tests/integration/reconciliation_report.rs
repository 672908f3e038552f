//! The reconciliation report: nothing to report after ordinary payments, refunds and refund links;
//! each kind of disagreement with the gateway is found.

use crate::common::{spawn_app, spawn_app_with, TestApp};
use app::server::gateways::omni::wire::HostedSessionRequest;
use app::server::payments::{reconciliation_report, DiscrepancyKind, ReconciliationReport};
use app::server::store::now_ms;
use serde_json::{json, Value};

const VISA: &str = "4111111111111111";

async fn report(app: &TestApp) -> ReconciliationReport {
    reconciliation_report(&app.state.store, &app.state.omni, now_ms() - 3_600_000)
        .await
        .unwrap()
}

fn kinds(report: &ReconciliationReport) -> Vec<DiscrepancyKind> {
    report.discrepancies.iter().map(|d| d.kind).collect()
}

async fn session_for(app: &TestApp, reference: &str, amount: u32) -> String {
    let session = app
        .state
        .omni
        .create_virtual_auth(&HostedSessionRequest {
            amount,
            amount_breakdown: None,
            payment_method_id: Some("pmt_vrt_01JRZPTWS99Z7RB57Q1CVWSWDS".into()),
            invoice_number: None,
            order_number: None,
            reference_id: Some(reference.into()),
            return_url: None,
            use_javascript_callback: false,
        })
        .await
        .unwrap();
    session.iframe_url.unwrap()
}

#[tokio::test]
async fn ordinary_payments_refunds_and_links_reconcile_cleanly() {
    let app = spawn_app().await;
    let id = app.authorized_checkout(2000, VISA).await;
    assert_eq!(
        app.post(&format!("/api/v1/checkouts/{id}/capture"), Value::Null)
            .await
            .status(),
        201
    );
    app.close_batch().await;
    assert_eq!(
        app.post(
            &format!("/api/v1/checkouts/{id}/refund"),
            json!({ "amount": 500 })
        )
        .await
        .status(),
        201
    );
    let (declined, form) = app.open_session(700).await;
    app.submit_card(&form.iframe_url, "4000000000000002").await;
    app.wait_for_status(&declined, "declined").await;
    let _unused = app.open_session(300).await;
    let report = report(&app).await;
    assert!(
        report.discrepancies.is_empty(),
        "{:#?}",
        report.discrepancies
    );
    assert!(
        report.gateway_transactions >= 5 && report.attempts >= 3 && report.operations == 2,
        "{report:?}"
    );
}

#[tokio::test]
async fn each_disagreement_with_the_gateway_is_reported() {
    let app = spawn_app_with(&[("PAYDESK_RECONCILE_INTERVAL_MS", "600000")]).await;
    // A transaction paydesk never asked for.
    let stranger = session_for(&app, "someone-elses-reference", 100).await;
    app.submit_card(&stranger, VISA).await;
    // An approval paydesk has not heard of yet (its webhook lost, nobody looking).
    let (unsettled, form) = app.open_session(1000).await;
    app.inject(json!({ "operation": "webhook", "fault": "drop", "count": 2 }))
        .await;
    app.submit_card(&form.iframe_url, VISA).await;
    // A second authorization whose void the gateway keeps refusing.
    let kept = app.authorized_checkout(1000, VISA).await;
    app.inject(json!({ "operation": "void", "fault": "rate-limited", "count": 1000 }))
        .await;
    let reference = format!("att_extra_{}", now_ms());
    app.state
        .store
        .insert_attempt(&reference, &kept, &reference, now_ms(), i64::MAX)
        .await
        .unwrap();
    let extra = session_for(&app, &reference, 1000).await;
    app.submit_card(&extra, VISA).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    let report = report(&app).await;
    let found = kinds(&report);
    assert!(
        found.contains(&DiscrepancyKind::UnknownToPaydesk),
        "{:#?}",
        report.discrepancies
    );
    assert!(
        found.contains(&DiscrepancyKind::Unsettled),
        "{:#?}",
        report.discrepancies
    );
    assert!(
        found.contains(&DiscrepancyKind::AuthorizationNotKept),
        "{:#?}",
        report.discrepancies
    );
    let unsettled_attempt = app
        .state
        .store
        .attempts_for(&unsettled)
        .await
        .unwrap()
        .remove(0);
    assert!(report
        .discrepancies
        .iter()
        .any(|d| d.subject == unsettled_attempt.id));
}
