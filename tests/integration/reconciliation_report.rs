//! The reconciliation report: nothing to report after ordinary payments, refunds and refund links;
//! each kind of disagreement with the gateway is found.

use crate::common::{spawn_app, spawn_app_with, TestApp};
use paydesk_core::gateways::omni::wire::HostedSessionRequest;
use paydesk_core::payments::{reconciliation_report, DiscrepancyKind, ReconciliationReport};
use paydesk_core::store::now_ms;
use serde_json::{json, Value};

const VISA: &str = "4111111111111111";

async fn report(app: &TestApp) -> ReconciliationReport {
    reconciliation_report(
        &app.state.store,
        paydesk_core::payments::ReportGateways::of(&app.state),
        now_ms() - 3_600_000,
    )
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
        .insert_attempt(&reference, &kept, &reference, now_ms(), i64::MAX, None)
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

/// Sequence 10 (issue 25): the report covers Commerce Hub. A refund request resent while its first
/// send was still open at Commerce Hub (as a stalled instance would) is booked twice there; the
/// report shows the refund made twice, and a report without discrepancies is one that looked.
#[tokio::test]
async fn a_commercehub_refund_made_twice_is_reported() {
    let app = spawn_app_with(&[("PAYDESK_GATEWAY_TIMEOUT_SECS", "1")]).await;
    let original = crate::gateway_refunds::commercehub_charge(&app, 1400, "4012001928706700").await;
    crate::gateway_refunds::control(
        &app,
        "/sandbox/faults",
        json!({ "operation": "refund", "fault": "slow", "delayMs": 1500 }),
    )
    .await;
    let (status, created) = crate::gateway_refunds::refund(
        &app,
        json!({ "gateway": "commercehub", "originalTransactionId": original, "amount": 700, "currency": "USD" }),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let clean = report(&app).await;
    assert_eq!(clean.commercehub_refunds, 1);
    // The same request again while the first is still being processed (a stale instance's resend).
    let attempt = app.state.store.refund_attempts(id).await.unwrap().remove(0);
    let hub = app.state.commercehub.as_ref().unwrap();
    hub.client
        .refund(&attempt.client_request_id, attempt.body.as_bytes())
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(
        crate::gateway_refunds::refunded_at_gateway(&app, &original).await,
        1400,
        "the simulator books a duplicate that arrives while the first is in flight"
    );
    let found = report(&app).await;
    assert!(
        found
            .discrepancies
            .iter()
            .any(|d| d.kind == DiscrepancyKind::RefundedMoreThanOnce && d.subject == id),
        "{:?}",
        found.discrepancies
    );
}

/// Sequence 10 (issue 25): the report covers Payroc. A second refund instruction for an order paydesk
/// refunded on a device (sent by anything but paydesk's one instruction) that the customer also taps
/// is money paid twice, and the report says so.
#[tokio::test]
async fn a_device_refund_paid_twice_is_reported() {
    use crate::device_refunds::{create, terminal, until, DEVICE};
    use paydesk_core::gateways::payroc::wire::{InstructionOrder, RefundInstructionRequest};
    let app = spawn_app().await;
    let created = create(&app, "O-TWICE").await;
    let id = created["id"].as_str().unwrap().to_string();
    terminal(&app, "tap", &[("card", "visa")]).await;
    until(&app, &id, "completed").await;
    let clean = report(&app).await;
    assert_eq!(clean.device_refunds, 1);
    assert!(clean.discrepancies.is_empty(), "{:?}", clean.discrepancies);

    let payroc = app.state.payroc.as_ref().unwrap();
    payroc
        .send_refund_instruction(
            DEVICE,
            &RefundInstructionRequest {
                processing_terminal_id: app.state.config.payroc_terminal_id.clone().unwrap(),
                operator: None,
                order: InstructionOrder {
                    order_id: "O-TWICE".into(),
                    description: "Refund for order O-TWICE".into(),
                    amount: 4999,
                    currency: "USD".into(),
                },
                customization_options: None,
            },
            &uuid::Uuid::new_v4().to_string(),
        )
        .await
        .unwrap();
    terminal(&app, "tap", &[("card", "visa")]).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let found = report(&app).await;
    assert_eq!(
        kinds(&found),
        [DiscrepancyKind::RefundedMoreThanOnce],
        "{:?}",
        found.discrepancies
    );
}
