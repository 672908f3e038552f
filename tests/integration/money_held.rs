//! Money stays held while anything might still move it (issue 25): a void in flight reserves what it
//! could take back, and an operation the gateway has no record of yet keeps its hold and is looked
//! up again.

use std::time::Duration;

use crate::common::{spawn_app, TestApp, TOKEN};
use serde_json::{json, Value};

const VISA: &str = "4111111111111111";
const DEVICE: &str = "1850010868";

async fn captured_payment(app: &TestApp, amount: i64) -> String {
    let id = app.authorized_checkout(amount, VISA).await;
    let response = app
        .post(&format!("/api/v1/checkouts/{id}/capture"), Value::Null)
        .await;
    assert_eq!(response.status(), 201);
    id
}

/// Waits until the payment has an operation of `kind` in `state`.
async fn until_operation(app: &TestApp, checkout_id: &str, kind: &str, state: &str) {
    for _ in 0..200 {
        let ops = app.state.store.operations_for(checkout_id).await.unwrap();
        if ops
            .iter()
            .any(|op| op.kind.as_str() == kind && op.state.as_str() == state)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no {kind} operation of {checkout_id} reached {state}");
}

/// Sequence 1: a void of the capture that the gateway answers slowly holds everything it could take
/// back. A refund link or a device refund bound to the payment, asked for meanwhile, is refused; the
/// ledger never ends both voided and refunded.
#[tokio::test]
async fn a_void_in_flight_holds_the_money_against_bound_refunds() {
    let app = spawn_app().await;
    let id = captured_payment(&app, 1000).await;
    app.inject(json!({ "operation": "void", "fault": "slow", "delayMs": 2000 }))
        .await;
    let voiding = tokio::spawn({
        let (http, url) = (
            app.http.clone(),
            format!("{}/api/v1/checkouts/{id}/void", app.base),
        );
        async move {
            http.post(url)
                .bearer_auth(TOKEN)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    until_operation(&app, &id, "void", "pending").await;

    let link = app
        .post(
            "/api/v1/refund-links",
            json!({ "amount": 1000, "currency": "USD", "checkoutId": id }),
        )
        .await;
    let status = link.status().as_u16();
    let link: Value = link.json().await.unwrap();
    assert_eq!(
        (status, link["error"]["code"].as_str()),
        (409, Some("operation_in_progress")),
        "a refund link bound to a payment being voided: {link}"
    );
    let device = app
        .post(
            "/api/v1/device-refunds",
            json!({ "device": DEVICE, "amount": 1000, "currency": "USD", "orderId": "O-VOIDING",
                    "description": "Refund while voiding", "checkoutId": id }),
        )
        .await;
    let status = device.status().as_u16();
    let device: Value = device.json().await.unwrap();
    assert_eq!(
        (status, device["error"]["code"].as_str()),
        (409, Some("operation_in_progress")),
        "a device refund bound to a payment being voided: {device}"
    );

    assert_eq!(voiding.await.unwrap(), 201);
    let ledger = app.checkout(&id).await["ledger"].clone();
    assert_eq!(
        (
            ledger["voided"].as_i64(),
            ledger["refunded"].as_i64(),
            ledger["overRefunded"].as_i64(),
            ledger["pending"].as_i64()
        ),
        (Some(1000), Some(0), Some(0), Some(0)),
        "{ledger}"
    );
}

async fn wait_for<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

/// Sequence 7: a refund the gateway has no record of long after it was sent is `lost` — but a
/// gateway's records can lag, so its money stays held (a second refund of the same money is
/// refused) and it is looked up again with backoff. Only when those lookups are over does the hold
/// end.
#[tokio::test]
async fn a_lost_refund_keeps_its_money_held_while_it_is_looked_up_again() {
    let app = crate::common::spawn_app_with(&[("PAYDESK_RECONCILE_INTERVAL_MS", "100")]).await;
    let id = captured_payment(&app, 1000).await;
    app.inject(json!({ "operation": "refund", "fault": "interrupted", "applied": false }))
        .await;
    let response = app
        .post(
            &format!("/api/v1/checkouts/{id}/refund"),
            json!({ "amount": 300 }),
        )
        .await;
    assert_eq!(response.status(), 202);
    let op: Value = response.json().await.unwrap();
    let op_id = op["operation"]["id"].as_str().unwrap().to_string();
    let hour_ago = paydesk_core::store::now_ms() - 60 * 60 * 1000;
    app.sql(&format!(
        "UPDATE operations SET created_at = {hour_ago}, next_check_at = 0 WHERE id = '{op_id}'"
    ))
    .await;
    let lost = || async { app.state.store.operation(&op_id).await.unwrap().unwrap() };
    wait_for("the refund is lost", || async {
        lost().await.state.as_str() == "lost"
    })
    .await;
    let record = lost().await;
    assert!(record.next_check_at.is_some(), "looked up again");
    let ledger = app.checkout(&id).await["ledger"].clone();
    assert_eq!(
        (ledger["pending"].as_i64(), ledger["refundable"].as_i64()),
        (Some(300), Some(700)),
        "a lost refund keeps its money held: {ledger}"
    );
    let again = app
        .post(
            &format!("/api/v1/checkouts/{id}/refund"),
            json!({ "amount": 1000 }),
        )
        .await;
    let status = again.status().as_u16();
    let again: Value = again.json().await.unwrap();
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (422, Some("exceeds_balance")),
        "the same money cannot be refunded again: {again}"
    );

    // Looked up again, still nothing: held, the next look further off.
    let lookups = app.gateway_lookups().await;
    app.sql(&format!(
        "UPDATE operations SET next_check_at = 0 WHERE id = '{op_id}'"
    ))
    .await;
    wait_for("it is looked up again", || async {
        app.gateway_lookups().await > lookups && lost().await.next_check_at != Some(0)
    })
    .await;
    assert_eq!(app.checkout(&id).await["ledger"]["refundable"], 700);

    // A day of lookups later the gateway still never had it: the hold ends.
    let day_ago = paydesk_core::store::now_ms() - 25 * 60 * 60 * 1000;
    app.sql(&format!(
        "UPDATE operations SET created_at = {day_ago}, next_check_at = 0 WHERE id = '{op_id}'"
    ))
    .await;
    wait_for("the hold ends", || async {
        lost().await.next_check_at.is_none()
    })
    .await;
    let checkout = app.checkout(&id).await;
    assert_eq!(checkout["ledger"]["refundable"], 1000, "{checkout}");
    let refund = checkout["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|op| op["id"] == op_id.as_str())
        .unwrap();
    assert_eq!(refund["status"], "lost", "{refund}");
}
