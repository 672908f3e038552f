//! Reversing a completed device refund (Payroc's reverseRefund) through the merchant API and the
//! Payroc simulator: the bound payment's money released once Payroc says reversed, a lost answer sent
//! again with the same key and ended once, and a refused resend settled by Payroc's own refund.

use paydesk_core::gateways::payroc::wire::ResultStatus;
use serde_json::{json, Value};

use crate::common::{spawn_app, TestApp};
use crate::device_refunds::{events_of, payroc_fault, terminal, until, DEVICE};

/// A captured payment of 10.00 and a completed device refund of 6.00 bound to it: (payment, refund).
async fn completed_refund_of_a_payment(app: &TestApp, order: &str) -> (String, String) {
    let checkout = app.authorized_checkout(1000, "4111111111111111").await;
    let capture = app
        .post(
            &format!("/api/v1/checkouts/{checkout}/capture"),
            Value::Null,
        )
        .await;
    assert_eq!(capture.status(), 201);
    let body = json!({ "device": DEVICE, "amount": 600, "currency": "USD", "orderId": order,
        "description": "Refund in store", "checkoutId": checkout });
    let created = app.post("/api/v1/device-refunds", body).await;
    assert_eq!(created.status(), 202);
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    terminal(app, "tap", &[("card", "visa")]).await;
    until(app, &id, "completed").await;
    (checkout, id)
}

async fn reverse(app: &TestApp, id: &str) -> (u16, Value) {
    let response = app
        .post(&format!("/api/v1/device-refunds/{id}/reverse"), Value::Null)
        .await;
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Payroc's own view of the refund (the simulator's ledger, through the same client paydesk uses).
async fn payroc_status(app: &TestApp, id: &str) -> ResultStatus {
    let record = app.state.store.device_refund(id).await.unwrap().unwrap();
    let client = app.state.payroc.as_ref().unwrap();
    let refund = client
        .refund(record.refund_id.as_deref().unwrap())
        .await
        .unwrap();
    refund.transaction_result.status
}

/// Moves the reversal's last send back past the time it may still be open at Payroc, and makes it
/// due.
async fn age_reversal_send(app: &TestApp, id: &str) {
    app.sql(&format!(
        "UPDATE device_refunds SET reversal_last_sent_at = reversal_last_sent_at - 120000, \
         next_check_at = {} WHERE id = '{id}' AND reversal_status = 'reversing'",
        paydesk_core::store::now_ms()
    ))
    .await;
    app.state.device_refunds.work.nudge();
}

/// Waits until the reversal has ended (reversed or refused).
async fn reversal_ended(app: &TestApp, id: &str) -> Value {
    for _ in 0..100 {
        let refund = app.get(&format!("/api/v1/device-refunds/{id}")).await;
        if refund["reversal"]["status"] != "reversing" {
            return refund;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the reversal of {id} never ended");
}

#[tokio::test]
async fn a_completed_device_refund_is_reversed_and_the_payments_money_released() {
    let app = spawn_app().await;
    let (checkout, id) = completed_refund_of_a_payment(&app, "O-REVERSE").await;
    assert_eq!(app.checkout(&checkout).await["ledger"]["refunded"], 600);

    let (status, reversed) = reverse(&app, &id).await;
    assert_eq!(status, 200, "{reversed}");
    assert_eq!(reversed["status"], "reversed", "{reversed}");
    assert_eq!(reversed["reversal"]["status"], "reversed");
    assert_eq!(payroc_status(&app, &id).await, ResultStatus::Reversal);
    let ledger = app.checkout(&checkout).await["ledger"].clone();
    assert_eq!(
        (ledger["refunded"].as_i64(), ledger["refundable"].as_i64()),
        (Some(0), Some(1000)),
        "{ledger}"
    );

    // Asking again changes nothing and tells nobody twice.
    let (status, again) = reverse(&app, &id).await;
    assert_eq!((status, again["status"].as_str()), (200, Some("reversed")));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        events_of(&app, &id).await,
        ["device_refund.reversed", "device_refund.completed"],
        "newest first"
    );

    // Only a completed refund can be reversed.
    let body = json!({ "device": DEVICE, "amount": 100, "currency": "USD", "orderId": "O-NOT-YET",
        "description": "Waiting" });
    let waiting: Value = app
        .post("/api/v1/device-refunds", body)
        .await
        .json()
        .await
        .unwrap();
    let (status, refused) = reverse(&app, waiting["id"].as_str().unwrap()).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "cannot_reverse");
    let (status, _) = reverse(&app, "drf_nope").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_reversal_whose_answer_was_lost_is_sent_again_with_its_key_and_ends_once() {
    let app = spawn_app().await;
    let (checkout, id) = completed_refund_of_a_payment(&app, "O-REV-LOST").await;
    // Payroc reverses the refund, then its answer is lost (a 500).
    payroc_fault(
        &app,
        json!({ "operation": "reverse", "fault": "interrupted", "applied": true }),
    )
    .await;
    let (status, pending) = reverse(&app, &id).await;
    assert_eq!(status, 200, "{pending}");
    assert_eq!(
        (
            pending["status"].as_str(),
            pending["reversal"]["status"].as_str()
        ),
        (Some("completed"), Some("reversing")),
        "{pending}"
    );
    // Until Payroc answers for that reversal, the refund counts as paid: nothing can be refunded
    // from its money.
    assert_eq!(app.checkout(&checkout).await["ledger"]["refundable"], 400);
    let key_before = app
        .state
        .store
        .device_refund(&id)
        .await
        .unwrap()
        .unwrap()
        .reversal
        .reversal_key;

    age_reversal_send(&app, &id).await;
    let ended = reversal_ended(&app, &id).await;
    assert_eq!(ended["status"], "reversed", "{ended}");
    let record = app.state.store.device_refund(&id).await.unwrap().unwrap();
    assert_eq!(
        (record.reversal.reversal_sends, record.reversal.reversal_key),
        (2, key_before),
        "sent again with the same key"
    );
    assert_eq!(app.checkout(&checkout).await["ledger"]["refundable"], 1000);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        events_of(&app, &id).await,
        ["device_refund.reversed", "device_refund.completed"],
        "newest first"
    );
}

#[tokio::test]
async fn a_refused_resend_of_a_reversal_is_settled_by_payrocs_own_refund() {
    let app = spawn_app().await;
    let (checkout, id) = completed_refund_of_a_payment(&app, "O-REV-REFUSED").await;
    // The first send fails without reaching the refund (a 502): it may have, for all paydesk knows.
    payroc_fault(
        &app,
        json!({ "operation": "reverse", "fault": "server-error", "applied": false }),
    )
    .await;
    let (_, pending) = reverse(&app, &id).await;
    assert_eq!(pending["reversal"]["status"], "reversing", "{pending}");

    // The resend is refused (401 twice: a key rotated). That proves nothing about the first send;
    // Payroc's refund does: it stands, so the reversal is refused and the refund still counts.
    payroc_fault(
        &app,
        json!({ "operation": "reverse", "fault": "unauthorized", "count": 2 }),
    )
    .await;
    age_reversal_send(&app, &id).await;
    let ended = reversal_ended(&app, &id).await;
    assert_eq!(
        (
            ended["status"].as_str(),
            ended["reversal"]["status"].as_str()
        ),
        (Some("completed"), Some("refused")),
        "{ended}"
    );
    assert!(
        ended["reversal"]["message"]
            .as_str()
            .unwrap()
            .contains("it stands"),
        "{ended}"
    );
    assert_eq!(app.checkout(&checkout).await["ledger"]["refunded"], 600);
    assert_ne!(payroc_status(&app, &id).await, ResultStatus::Reversal);

    // Asked again (a new reversal, a new key), it goes through.
    let (status, reversed) = reverse(&app, &id).await;
    assert_eq!(
        (status, reversed["status"].as_str()),
        (200, Some("reversed"))
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        events_of(&app, &id).await,
        [
            "device_refund.reversed",
            "device_refund.reversal_refused",
            "device_refund.completed"
        ],
        "newest first"
    );
}

#[tokio::test]
async fn a_refused_resend_after_a_first_send_that_reversed_ends_reversed() {
    let app = spawn_app().await;
    let (checkout, id) = completed_refund_of_a_payment(&app, "O-REV-ACTED").await;
    // The first send reverses the refund and its answer is lost; the resend is refused (401 twice).
    // Booking that refusal as "not reversed" would keep 6.00 counted as paid that never left: the
    // refund itself says reversal.
    payroc_fault(
        &app,
        json!({ "operation": "reverse", "fault": "interrupted", "applied": true }),
    )
    .await;
    let (_, pending) = reverse(&app, &id).await;
    assert_eq!(pending["reversal"]["status"], "reversing", "{pending}");
    payroc_fault(
        &app,
        json!({ "operation": "reverse", "fault": "unauthorized", "count": 2 }),
    )
    .await;
    age_reversal_send(&app, &id).await;
    let ended = reversal_ended(&app, &id).await;
    assert_eq!(ended["status"], "reversed", "{ended}");
    assert_eq!(app.checkout(&checkout).await["ledger"]["refundable"], 1000);
}
