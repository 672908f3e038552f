//! Capture, void and refund through the merchant API against the sandbox: the seeds' balance rules,
//! batch semantics, the per-checkout ledger, interrupted calls and webhook reconciliation.

use crate::common::{spawn_app, TestApp, WEBHOOK_SECRET};
use paydesk_core::gateways::omni::signature::{sign, SignatureEncoding};
use paydesk_core::gateways::omni::wire::ReferencedRequest;
use serde_json::{json, Value};

const VISA: &str = "4111111111111111";

async fn operate(app: &TestApp, id: &str, op: &str, body: Value) -> (u16, Value) {
    let response = app
        .post(&format!("/api/v1/checkouts/{id}/{op}"), body)
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

#[tokio::test]
async fn partial_capture_then_partial_refunds_until_the_balance_is_zero() {
    let app = spawn_app().await;
    let id = app.authorized_checkout(1000, VISA).await;
    let checkout = app.checkout(&id).await;
    assert_eq!(checkout["ledger"]["authorized"], 1000);
    assert_eq!(checkout["ledger"]["capturable"], 1000);

    let (status, captured) = operate(&app, &id, "capture", json!({ "amount": 600 })).await;
    assert_eq!(status, 201, "{captured}");
    assert_eq!(captured["operation"]["status"], "succeeded");
    assert_eq!(captured["ledger"]["captured"], 600);
    assert_eq!(captured["ledger"]["capturable"], 0);
    assert_eq!(captured["ledger"]["refundable"], 600);
    let capture_id = captured["operation"]["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.checkout(&id).await["status"], "captured");
    let (status, again) = operate(&app, &id, "capture", json!({})).await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (409, Some("already_captured"))
    );

    app.close_batch().await;
    let (status, first) = operate(&app, &id, "refund", json!({ "amount": 250 })).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["ledger"]["refunded"], 250);
    assert_eq!(app.checkout(&id).await["status"], "partially_refunded");
    let (status, no_amount) = operate(&app, &id, "refund", Value::Null).await;
    assert_eq!(
        (status, no_amount["error"]["code"].as_str()),
        (422, Some("amount_required"))
    );
    let (status, too_much) = operate(&app, &id, "refund", json!({ "amount": 351 })).await;
    assert_eq!(status, 422);
    assert_eq!(
        too_much["error"]["message"],
        format!("Refund amount of 351 exceeds the available balance of 350 for transaction ID {capture_id}")
    );
    let (status, last) = operate(&app, &id, "refund", json!({ "amount": 350 })).await;
    assert_eq!(status, 201, "{last}");
    assert_eq!(
        last["ledger"],
        json!({
            "authorized": 1000, "captured": 600, "voided": 0, "refunded": 600, "refundedToOtherCards": 0, "refundedOnDevices": 0, "overRefunded": 0,
            "pending": 0, "capturable": 0, "refundable": 0, "remaining": 0
        })
    );

    // One more is refused before the gateway is called, in the gateway's own words.
    let (status, refused) = operate(&app, &id, "refund", json!({ "amount": 1 })).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (422, Some("exceeds_balance"))
    );
    let gateway_says = app
        .state
        .omni
        .refund(&ReferencedRequest {
            original_transaction_id: Some(capture_id.clone()),
            amount: Some(1),
            ..Default::default()
        })
        .await
        .unwrap_err()
        .to_string();
    assert!(
        gateway_says.contains(refused["error"]["message"].as_str().unwrap()),
        "{gateway_says}"
    );

    let checkout = app.checkout(&id).await;
    assert_eq!(checkout["status"], "refunded");
    let kinds: Vec<&str> = checkout["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["capture", "refund", "refund"]);
    assert!(
        checkout["transactions"].as_array().unwrap().len() >= 4,
        "auth, capture and two refunds are listed"
    );
}

#[tokio::test]
async fn void_inside_the_open_batch_and_refund_after_it_closed() {
    let app = spawn_app().await;
    // An authorization is voided whole.
    let auth_only = app.authorized_checkout(800, VISA).await;
    let (status, voided) = operate(&app, &auth_only, "void", Value::Null).await;
    assert_eq!(status, 201, "{voided}");
    assert_eq!(
        (
            voided["ledger"]["voided"].as_i64(),
            voided["ledger"]["capturable"].as_i64()
        ),
        (Some(800), Some(0))
    );
    assert_eq!(app.checkout(&auth_only).await["status"], "voided");
    let (status, capture) = operate(&app, &auth_only, "capture", Value::Null).await;
    assert_eq!(
        (status, capture["error"]["code"].as_str()),
        (409, Some("already_voided"))
    );
    let (status, with_amount) = operate(&app, &auth_only, "void", json!({ "amount": 5 })).await;
    assert_eq!(
        (status, with_amount["error"]["field"].as_str()),
        (400, Some("amount"))
    );

    // A capture still in the open batch is voided.
    let captured = app.authorized_checkout(500, VISA).await;
    assert_eq!(
        operate(&app, &captured, "capture", Value::Null).await.0,
        201
    );
    let (status, voided) = operate(&app, &captured, "void", Value::Null).await;
    assert_eq!(status, 201, "{voided}");
    assert_eq!(
        (
            voided["ledger"]["voided"].as_i64(),
            voided["ledger"]["remaining"].as_i64()
        ),
        (Some(500), Some(0))
    );

    // After the batch closed, the gateway refuses the void (nothing happens) and a refund works.
    let settled = app.authorized_checkout(400, VISA).await;
    assert_eq!(operate(&app, &settled, "capture", Value::Null).await.0, 201);
    app.close_batch().await;
    let (status, refused) = operate(&app, &settled, "void", Value::Null).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (422, Some("gateway_rejected"))
    );
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("closed batch"),
        "{refused}"
    );
    let (status, refunded) = operate(&app, &settled, "refund", Value::Null).await;
    assert_eq!(status, 201, "{refunded}");
    assert_eq!(refunded["ledger"]["refunded"], 400);
    let ops = app.checkout(&settled).await["operations"].clone();
    assert_eq!(ops[1]["status"], "rejected");
}

#[tokio::test]
async fn an_interrupted_refund_is_looked_up_and_never_sent_twice() {
    let app = spawn_app().await;
    let id = app.authorized_checkout(1000, VISA).await;
    assert_eq!(operate(&app, &id, "capture", Value::Null).await.0, 201);

    // The gateway did it but answered Interrupted: the lookup finds it; nothing is re-sent.
    app.queue_fault("refund", true).await;
    let (status, looked_up) = operate(&app, &id, "refund", json!({ "amount": 400 })).await;
    assert_eq!(status, 201, "{looked_up}");
    assert_eq!(looked_up["operation"]["status"], "succeeded");
    assert_eq!(looked_up["ledger"]["refunded"], 400);

    // The gateway did not do it and answered Interrupted: unknown, its amount held, everything else
    // waits.
    app.queue_fault("refund", false).await;
    let response = app
        .http
        .post(format!("{}/api/v1/checkouts/{id}/refund", app.base))
        .bearer_auth(crate::common::TOKEN)
        .header("idempotency-key", "refund-2")
        .json(&json!({ "amount": 100 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let unknown: Value = response.json().await.unwrap();
    assert_eq!(unknown["operation"]["status"], "unknown");
    assert_eq!(
        (
            unknown["ledger"]["pending"].as_i64(),
            unknown["ledger"]["refundable"].as_i64()
        ),
        (Some(100), Some(500))
    );
    let (status, blocked) = operate(&app, &id, "refund", json!({ "amount": 50 })).await;
    assert_eq!(
        (status, blocked["error"]["code"].as_str()),
        (409, Some("operation_in_progress"))
    );

    // The merchant's retry with the same key gets the same operation back, not a second refund.
    let retried: Value = app
        .http
        .post(format!("{}/api/v1/checkouts/{id}/refund", app.base))
        .bearer_auth(crate::common::TOKEN)
        .header("idempotency-key", "refund-2")
        .json(&json!({ "amount": 100 }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(retried["operation"]["id"], unknown["operation"]["id"]);
    let refunds = app
        .state
        .store
        .operations_for(&id)
        .await
        .unwrap()
        .iter()
        .filter(|o| o.kind == paydesk_core::model::OperationKind::Refund)
        .count();
    assert_eq!(refunds, 2);
}

async fn post_webhook(app: &TestApp, body: &str) -> u16 {
    let signature = sign(
        WEBHOOK_SECRET.as_bytes(),
        body.as_bytes(),
        SignatureEncoding::Base64,
    );
    app.post_gateway_webhook(body, &signature)
        .await
        .status()
        .as_u16()
}

fn refund_event(
    event_id: &str,
    reference: &str,
    transaction_id: &str,
    status: &str,
    response_code: i64,
    amount: i64,
) -> String {
    json!({
        "event": { "id": event_id, "type": "refund.completed", "timestamp": "2026-11-21T10:00:00Z" },
        "originalResponse": {
            "id": transaction_id, "type": "Refund", "status": status, "resultCode": 0,
            "resultText": if response_code == 1 { "APPROVED" } else { "DECLINED" },
            "referenceId": reference, "requestedAmount": amount,
            "approvedAmount": if response_code == 1 { amount } else { 0 },
            "transactionResponses": [{ "responseCode": response_code, "hostResponseText": "APPROVED 00" }]
        }
    })
    .to_string()
}

#[tokio::test]
async fn duplicated_and_out_of_order_refund_webhooks_change_nothing_twice() {
    let app = spawn_app().await;
    let id = app.authorized_checkout(1000, VISA).await;
    assert_eq!(operate(&app, &id, "capture", Value::Null).await.0, 201);
    app.queue_fault("refund", false).await;
    let (status, unknown) = operate(&app, &id, "refund", json!({ "amount": 300 })).await;
    assert_eq!(status, 202);
    let op_id = unknown["operation"]["id"].as_str().unwrap();
    let reference = app
        .state
        .store
        .operation(op_id)
        .await
        .unwrap()
        .unwrap()
        .gateway_reference_id;

    // The webhook settles the unknown operation...
    let approved = refund_event(
        "evt_r_1",
        &reference,
        "trx_from_webhook",
        "Completed",
        1,
        300,
    );
    assert_eq!(post_webhook(&app, &approved).await, 200);
    let ledger = app.checkout(&id).await["ledger"].clone();
    assert_eq!(
        (
            ledger["refunded"].as_i64(),
            ledger["pending"].as_i64(),
            ledger["refundable"].as_i64()
        ),
        (Some(300), Some(0), Some(700))
    );

    // ...then arrives again (same event id), again under a new event id, and an older, not-final
    // version arrives late, and a contradicting one: nothing changes.
    assert_eq!(post_webhook(&app, &approved).await, 200);
    assert_eq!(
        post_webhook(&app, &approved.replace("evt_r_1", "evt_r_2")).await,
        200
    );
    assert_eq!(
        post_webhook(
            &app,
            &refund_event("evt_r_3", &reference, "trx_from_webhook", "Pending", 0, 300)
        )
        .await,
        200
    );
    assert_eq!(
        post_webhook(
            &app,
            &refund_event("evt_r_4", &reference, "trx_other", "Completed", 10, 300)
        )
        .await,
        200
    );
    let checkout = app.checkout(&id).await;
    assert_eq!(
        checkout["ledger"],
        json!({
            "authorized": 1000, "captured": 1000, "voided": 0, "refunded": 300, "refundedToOtherCards": 0, "refundedOnDevices": 0, "overRefunded": 0,
            "pending": 0, "capturable": 0, "refundable": 700, "remaining": 700
        })
    );
    let refund = &checkout["operations"][1];
    assert_eq!(
        (refund["status"].as_str(), refund["transactionId"].as_str()),
        (Some("succeeded"), Some("trx_from_webhook"))
    );
    for event in ["evt_r_1", "evt_r_2", "evt_r_3", "evt_r_4"] {
        let stored = app
            .state
            .store
            .webhook_event(event)
            .await
            .unwrap()
            .expect("stored");
        assert!(stored.processed_at.is_some(), "{event} processed");
    }
}

#[tokio::test]
async fn operations_need_an_authorized_payment_and_valid_input() {
    let app = spawn_app().await;
    let (open, _) = app.open_session(1000).await;
    let (status, body) = operate(&app, &open, "capture", Value::Null).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("not_authorized"))
    );
    let (status, body) = operate(&app, "chk_nope", "refund", Value::Null).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let id = app.authorized_checkout(1000, VISA).await;
    let (status, body) = operate(&app, &id, "refund", Value::Null).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("not_captured"))
    );
    let (status, body) = operate(&app, &id, "capture", json!({ "amount": "10" })).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (400, Some("amount"))
    );
    let (status, body) = operate(&app, &id, "capture", json!({ "amount": 1001 })).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("exceeds_balance"))
    );
    let unauthenticated = app
        .http
        .post(format!("{}/api/v1/checkouts/{id}/void", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
}

#[tokio::test]
async fn a_second_approved_authorization_is_voided_automatically() {
    use paydesk_core::gateways::omni::wire::HostedSessionRequest;
    let app = spawn_app().await;
    let id = app.authorized_checkout(1000, VISA).await;

    // A second session of the same checkout gets approved too (e.g. a form left open in another tab
    // of an older deployment): the card must not keep two holds.
    let attempt = app
        .state
        .store
        .insert_attempt("att_second", &id, "att_second", 0, i64::MAX, None)
        .await
        .unwrap();
    let session = app
        .state
        .omni
        .create_virtual_auth(&HostedSessionRequest {
            amount: 1000,
            amount_breakdown: None,
            payment_method_id: Some("pmt_vrt_01JRZPTWS99Z7RB57Q1CVWSWDS".into()),
            invoice_number: None,
            order_number: None,
            reference_id: Some(attempt.gateway_reference_id.clone()),
            return_url: None,
            use_javascript_callback: false,
        })
        .await
        .unwrap();
    assert_eq!(
        app.submit_card(session.iframe_url.as_deref().unwrap(), VISA)
            .await
            .status(),
        200
    );

    let mut void = None;
    for _ in 0..100 {
        let checkout = app.checkout(&id).await;
        void = checkout["operations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["status"] == "succeeded")
            .cloned();
        if void.is_some() {
            assert_eq!(
                checkout["ledger"]["voided"], 0,
                "the kept authorization is untouched"
            );
            assert_eq!(checkout["ledger"]["capturable"], 1000);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let void = void.expect("the duplicate was voided");
    assert_eq!(void["type"], "void");
    let kept = app.checkout(&id).await["transaction"]["id"].clone();
    assert_ne!(void["originalTransactionId"], kept);
    // The kept authorization can still be captured in full.
    assert_eq!(operate(&app, &id, "capture", Value::Null).await.0, 201);
}
