//! A refund of a Commerce Hub charge that was authorized and not captured: Commerce Hub refuses to
//! refund it (837), so paydesk cancels the authorization instead — in full or in part, once even
//! when the cancel's answer is lost — and says so (`refundedBy: cancel`).

use paydesk_core::payments::{reconciliation_report, ReportGateways};
use paydesk_core::store::now_ms;
use serde_json::{json, Value};

use crate::common::{spawn_app, spawn_app_with, TestApp};
use crate::gateway_refunds::{age_sends, charge_id, control, events_of, refund};

/// A charge the simulator authorized and did not capture (a pre-auth); its transaction id.
async fn authorized_charge(app: &TestApp, amount: i64) -> String {
    charge_id(
        &control(
            app,
            "/sandbox/charges",
            json!({ "amount": amount, "captureFlag": false }),
        )
        .await,
    )
}

/// The simulator's own ledger of the charge.
async fn at_gateway(app: &TestApp, transaction_id: &str) -> Value {
    app.http
        .get(format!(
            "{}/sandbox/charges/{transaction_id}",
            app.commercehub_origin
        ))
        .header("Api-Key", &app.commercehub_api_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_refund_of_a_charge_not_captured_cancels_its_authorization() {
    let app = spawn_app().await;
    let original = authorized_charge(&app, 3000).await;
    let (status, body) = refund(
        &app,
        json!({ "gateway": "commercehub", "originalTransactionId": original, "amount": 3000,
                "currency": "USD", "orderNumber": "PRE-1" }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        (body["status"].as_str(), body["refundedBy"].as_str()),
        (Some("refunded"), Some("cancel")),
        "{body}"
    );
    assert_eq!(body["refundedAmount"], 3000);
    let charge = at_gateway(&app, &original).await;
    assert_eq!(
        (charge["canceled"].as_i64(), charge["refunded"].as_i64()),
        (Some(3000), Some(0)),
        "{charge}"
    );
    let attempts = app
        .state
        .store
        .refund_attempts(body["id"].as_str().unwrap())
        .await
        .unwrap();
    let kinds: Vec<&str> = attempts.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["tagged", "cancel"],
        "the refused refund, then the cancel"
    );
    let events = events_of(&app, "refund.refunded").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["data"]["refundedBy"], "cancel", "{}", events[0]);

    // Part of another authorization.
    let other = authorized_charge(&app, 3000).await;
    let (_, part) = refund(
        &app,
        json!({ "gateway": "commercehub", "originalTransactionId": other, "amount": 1000, "currency": "USD" }),
    )
    .await;
    assert_eq!(
        (part["status"].as_str(), part["refundedBy"].as_str()),
        (Some("refunded"), Some("cancel")),
        "{part}"
    );
    assert_eq!(at_gateway(&app, &other).await["canceled"], 1000);

    // A captured charge is still refunded.
    let captured = crate::gateway_refunds::commercehub_charge(&app, 2000, "4012001928706700").await;
    let (_, refunded) = refund(
        &app,
        json!({ "gateway": "commercehub", "originalTransactionId": captured, "amount": 2000, "currency": "USD" }),
    )
    .await;
    assert_eq!(refunded["refundedBy"], "tagged", "{refunded}");

    // Commerce Hub's records agree, cancels included.
    let report = reconciliation_report(
        &app.state.store,
        ReportGateways::of(&app.state),
        now_ms() - 3_600_000,
    )
    .await
    .unwrap();
    assert_eq!(report.commercehub_refunds, 3);
    assert!(
        report.discrepancies.is_empty(),
        "{:?}",
        report.discrepancies
    );
}

/// A refund of a 30.00 authorization whose cancel's answer is lost (after the cancel was done at the
/// gateway, or not); settled once its send can no longer be open. Returns the refund and the charge.
async fn lost_cancel(app: &TestApp, applied: bool) -> (Value, String) {
    let original = authorized_charge(app, 3000).await;
    control(
        app,
        "/sandbox/faults",
        json!({ "operation": "cancel", "fault": "timeout", "applied": applied, "delayMs": 3000 }),
    )
    .await;
    let (status, body) = refund(
        app,
        json!({ "gateway": "commercehub", "originalTransactionId": original, "amount": 3000, "currency": "USD" }),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (201, Some("processing")),
        "{body}"
    );
    let id = body["id"].as_str().unwrap().to_string();
    age_sends(app, &id).await;
    let shown = app.get(&format!("/api/v1/refunds/{id}")).await;
    assert_eq!(
        (shown["status"].as_str(), shown["refundedBy"].as_str()),
        (Some("refunded"), Some("cancel")),
        "{shown}"
    );
    assert_eq!(
        at_gateway(app, &original).await["canceled"],
        3000,
        "released once"
    );
    (shown, original)
}

#[tokio::test]
async fn a_cancel_whose_answer_was_lost_is_looked_up_or_sent_again_with_its_id_and_releases_once() {
    let app = spawn_app_with(&[("PAYDESK_GATEWAY_TIMEOUT_SECS", "1")]).await;
    // Done at the gateway: the inquiry finds the cancel (a CANCEL, not a REFUND) and settles it.
    let (done, _) = lost_cancel(&app, true).await;
    let attempts = app
        .state
        .store
        .refund_attempts(done["id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(attempts.len(), 2);
    assert_eq!(
        (attempts[1].kind.as_str(), attempts[1].sends),
        ("cancel", 1)
    );
    // Never done: the same cancel goes again under its own id.
    let (lost, _) = lost_cancel(&app, false).await;
    let attempts = app
        .state
        .store
        .refund_attempts(lost["id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(attempts.len(), 2, "resent, not replaced");
    assert_eq!(
        (attempts[1].kind.as_str(), attempts[1].sends),
        ("cancel", 2)
    );
    assert_eq!(events_of(&app, "refund.refunded").await.len(), 2);
}
