//! A resend's failure proves nothing (issue 25): once a request may have reached a gateway, only the
//! gateway's own answer about it ends it, and a request is never sent again while an earlier send of
//! it may still be open there. Checked against the simulators' own ledgers.

use std::time::Duration;

use crate::common::spawn_app_with;
use crate::device_refunds::{age_device_send, payroc_fault, terminal, until, DEVICE};
use crate::gateway_refunds::{
    age_sends, commercehub_charge, control, events_of, lost_answer, refund, refunded_at_gateway,
};
use serde_json::json;

/// Sequence 2: the answer to a Commerce Hub refund was lost and a resend meets a refusal (429). The
/// refund is never reported failed (nor "nothing was sent"), the charge stays held, and it ends
/// refunded once — whether the first request had refunded or not.
#[tokio::test]
async fn a_commercehub_resend_refused_proves_nothing_and_the_refund_happens_once() {
    for applied in [true, false] {
        let app = spawn_app_with(&[("PAYDESK_GATEWAY_TIMEOUT_SECS", "1")]).await;
        let (id, original) = lost_answer(&app, applied).await;
        control(
            &app,
            "/sandbox/faults",
            json!({ "operation": "refund", "fault": "rate-limited", "count": 1 }),
        )
        .await;
        let mut seen = Vec::new();
        for _ in 0..4 {
            let shown = app.get(&format!("/api/v1/refunds/{id}")).await;
            seen.push(shown["status"].as_str().unwrap().to_string());
            if shown["status"] == "refunded" {
                break;
            }
            age_sends(&app, &id).await;
        }
        assert_eq!(
            seen.last().map(String::as_str),
            Some("refunded"),
            "applied {applied}: {seen:?}"
        );
        assert!(
            seen.iter().all(|s| s == "processing" || s == "refunded"),
            "applied {applied}: never reported failed: {seen:?}"
        );
        assert_eq!(
            refunded_at_gateway(&app, &original).await,
            3000,
            "applied {applied}"
        );
        assert!(events_of(&app, "refund.failed").await.is_empty());
        assert_eq!(events_of(&app, "refund.refunded").await.len(), 1);
    }
}

/// Sequence 10: the gateway takes longer than paydesk's timeout, so the first request is still open
/// there when paydesk reads the refund again. Nothing is resent until that send can no longer be
/// open; then Commerce Hub's inquiry finds the refund the first request made: the charge is refunded
/// once, not twice.
#[tokio::test]
async fn a_commercehub_refund_is_not_resent_while_its_first_send_may_be_open() {
    let app = spawn_app_with(&[("PAYDESK_GATEWAY_TIMEOUT_SECS", "1")]).await;
    let original = commercehub_charge(&app, 900, "4012001928706700").await;
    control(
        &app,
        "/sandbox/faults",
        json!({ "operation": "refund", "fault": "slow", "delayMs": 2500 }),
    )
    .await;
    let (status, created) = refund(
        &app,
        json!({ "gateway": "commercehub", "originalTransactionId": original, "amount": 900, "currency": "USD" }),
    )
    .await;
    assert_eq!(
        (status, created["status"].as_str()),
        (201, Some("processing")),
        "{created}"
    );
    let id = created["id"].as_str().unwrap().to_string();
    // The merchant asks at once, and again: the first request is still being processed.
    for _ in 0..3 {
        let shown = app.get(&format!("/api/v1/refunds/{id}")).await;
        assert_eq!(shown["status"], "processing", "{shown}");
    }
    tokio::time::sleep(Duration::from_millis(3000)).await;
    assert_eq!(
        refunded_at_gateway(&app, &original).await,
        900,
        "one refund at the gateway"
    );
    age_sends(&app, &id).await;
    let shown = app.get(&format!("/api/v1/refunds/{id}")).await;
    assert_eq!(shown["status"], "refunded", "{shown}");
    assert_eq!(refunded_at_gateway(&app, &original).await, 900);
    let attempts = app.state.store.refund_attempts(&id).await.unwrap();
    assert_eq!((attempts.len(), attempts[0].sends), (1, 1), "sent once");
}

/// Sequence 3: the device took the refund instruction but paydesk lost the answer; the resend (same
/// key) meets a refused token and an identity-service failure. The refund is not ended: the money
/// stays held, the instruction is sent again with the same key once the first send can no longer be
/// open, Payroc replays it, the customer taps, and paydesk reports the one refund the device made.
#[tokio::test]
async fn a_payroc_resend_refused_proves_nothing_and_the_device_refund_goes_on() {
    let app = spawn_app_with(&[("PAYDESK_GATEWAY_TIMEOUT_SECS", "1")]).await;
    let id = app.authorized_checkout(4999, "4111111111111111").await;
    assert_eq!(
        app.post(
            &format!("/api/v1/checkouts/{id}/capture"),
            serde_json::Value::Null
        )
        .await
        .status(),
        201
    );
    // paydesk holds a Payroc token already (it listed the devices).
    assert!(app.get("/api/v1/devices").await["data"].is_array());
    payroc_fault(
        &app,
        json!({ "operation": "refund-instruction", "fault": "timeout", "applied": true, "delayMs": 1500 }),
    )
    .await;
    payroc_fault(
        &app,
        json!({ "operation": "refund-instruction", "fault": "unauthorized", "count": 2 }),
    )
    .await;
    payroc_fault(
        &app,
        json!({ "operation": "authorize", "fault": "server-error" }),
    )
    .await;
    let created = app
        .post(
            "/api/v1/device-refunds",
            json!({ "device": DEVICE, "amount": 4999, "currency": "USD", "orderId": "O-RESEND",
                    "description": "Refund for order O-RESEND", "checkoutId": id }),
        )
        .await;
    assert_eq!(created.status(), 202);
    let created: serde_json::Value = created.json().await.unwrap();
    let refund = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["status"], "sending", "{created}");

    let mut seen = Vec::new();
    for _ in 0..10 {
        age_device_send(&app, &refund).await;
        tokio::time::sleep(Duration::from_millis(700)).await;
        let now = app.get(&format!("/api/v1/device-refunds/{refund}")).await;
        let status = now["status"].as_str().unwrap().to_string();
        assert!(
            matches!(status.as_str(), "sending" | "unknown" | "waiting_for_card"),
            "never ended while the device may hold it: {now}"
        );
        assert_eq!(app.checkout(&id).await["ledger"]["refundable"], 0, "held");
        seen.push(status.clone());
        if status == "waiting_for_card" {
            break;
        }
    }
    assert_eq!(
        seen.last().map(String::as_str),
        Some("waiting_for_card"),
        "{seen:?}"
    );
    terminal(&app, "tap", &[("card", "visa")]).await;
    let done = until(&app, &refund, "completed").await;
    assert_eq!(done["approvedAmount"], 4999);
    let ledger = app.checkout(&id).await["ledger"].clone();
    assert_eq!(
        (
            ledger["refundedOnDevices"].as_i64(),
            ledger["remaining"].as_i64()
        ),
        (Some(4999), Some(0))
    );
}
